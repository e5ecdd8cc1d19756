/* SPDX-License-Identifier: GPL-2.0-only */
/* Socket I/O by peer, shared by the BPF program (bpf/net.bpf.h) and user space
 * (src/trace_net.c): every read or write that moved bytes on a socket is added to the
 * row of the address that socket is connected to, so a trace says which host:port its
 * `net` bytes came from (an installer's index, a registry, a daemon's unix socket). */
#ifndef PF_TRACE_NET_H
#define PF_TRACE_NET_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PF_MAX_PEERS 1024
#define PF_AF_UNIX 1
#define PF_AF_INET 2
#define PF_AF_INET6 10

struct pf_peer_key {
	__u8 addr[16];  /* IPv4 in the first 4 bytes, network order; zero for unix sockets */
	__u16 port;     /* host order; 0 for unix sockets and unconnected ones */
	__u16 family;   /* PF_AF_* */
	__u32 pad;
};

struct pf_peer_stat {
	__u64 bytes_received;
	__u64 bytes_sent;
	__u64 ns;        /* the reads' and writes' time, entry to exit */
	__u64 calls;     /* reads and writes that moved bytes */
};

#ifndef __VMLINUX_H__ /* user space (src/trace_net.c) */
#include <stddef.h>
#include <jansson.h>

struct pf_trace;

struct pf_peer_row {
	struct pf_peer_key key;
	struct pf_peer_stat st;
};

/* Read the kernel's peer map (fd) into tr->peers. */
void pf_trace_net_collect(struct pf_trace *tr, int map_fd);
/* "10.213.9.2:8503", "[::1]:443", "unix" (a unix socket: no address). */
void pf_peer_name(const struct pf_peer_key *k, char *buf, size_t len);
/* [{peer, bytes_received, bytes_sent, ns, calls}], by bytes descending. */
json_t *pf_trace_net_json(const struct pf_trace *tr);
#endif

#endif
