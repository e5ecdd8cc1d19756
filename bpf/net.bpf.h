/* SPDX-License-Identifier: GPL-2.0 */
/* Socket bytes by peer (include/trace_net.h): at the exit of a read or write that moved
 * bytes on a socket, the socket's connected address from its struct sock. Read at the
 * syscall, not at connect(): a socket made before the trace started counts too. */
#ifndef PF_NET_BPF_H
#define PF_NET_BPF_H

#include "trace_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PF_MAX_PEERS);
	__type(key, struct pf_peer_key);
	__type(value, struct pf_peer_stat);
} peers SEC(".maps");

/* The struct file of a socket I/O call: read/write-like calls on an fd were looked up
 * at entry; send/recv-like ones (fd in arg0, kept in st->fd) are looked up here. */
static __always_inline struct file *socket_file(struct pf_thread_state *st)
{
	__u16 cls = st->sc & PF_SC_CLASS_MASK;

	if (cls == PF_SC_FD)
		return st->fc_mode == PF_S_IFSOCK ? (struct file *)st->fc_file : NULL;
	if (cls == PF_SC_NET)
		return fd_file(st->fd);
	return NULL;
}

/* Global: verified once, apart from the other work of a syscall's exit. */
__noinline int pf_count_peer(struct pf_thread_state *st, long ret, __u64 delta)
{
	struct pf_peer_key k = {};
	struct pf_peer_stat *ps, zero = {};
	struct socket *sock;
	struct sock *sk;
	struct file *f;

	if (!st || ret <= 0 || !(st->sc & (PF_SC_READS | PF_SC_WRITES)))
		return 0;
	f = socket_file(st);
	if (!f)
		return 0;
	sock = (struct socket *)BPF_CORE_READ(f, private_data);
	sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (!sk)
		return 0;
	k.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (k.family == PF_AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(k.addr, &a, sizeof(a));
	} else if (k.family == PF_AF_INET6) {
		BPF_CORE_READ_INTO(&k.addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	if (k.family == PF_AF_INET || k.family == PF_AF_INET6)
		k.port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	ps = lookup_or_init(&peers, &k, &zero);
	if (!ps) {
		count(&map_full);
		return 0;
	}
	if (st->sc & PF_SC_READS)
		__sync_fetch_and_add(&ps->bytes_received, ret);
	else
		__sync_fetch_and_add(&ps->bytes_sent, ret);
	__sync_fetch_and_add(&ps->ns, delta);
	__sync_fetch_and_add(&ps->calls, 1);
	return 0;
}

#endif
