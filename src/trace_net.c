// SPDX-License-Identifier: GPL-2.0-only
/* Socket bytes by peer (see trace_net.h): read from the kernel's map, written as the
 * trace JSON's "net_peers". */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "trace_model.h"
#include "trace_net.h"

void pf_trace_net_collect(struct pf_trace *tr, int map_fd)
{
	struct pf_peer_key key, next, *prev = NULL;
	struct pf_peer_stat st;

	free(tr->peers);
	tr->peers = calloc(PF_MAX_PEERS, sizeof(*tr->peers));
	tr->npeers = 0;
	if (!tr->peers)
		return;
	while (tr->npeers < PF_MAX_PEERS && !bpf_map_get_next_key(map_fd, prev, &next)) {
		if (!bpf_map_lookup_elem(map_fd, &next, &st))
			tr->peers[tr->npeers++] = (struct pf_peer_row){ .key = next, .st = st };
		key = next;
		prev = &key;
	}
}

void pf_peer_name(const struct pf_peer_key *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (k->family == PF_AF_INET) {
		inet_ntop(AF_INET, k->addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, k->port);
	} else if (k->family == PF_AF_INET6) {
		inet_ntop(AF_INET6, k->addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, k->port);
	} else if (k->family == PF_AF_UNIX) {
		snprintf(buf, len, "unix");
	} else {
		snprintf(buf, len, "family %u", k->family);
	}
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct pf_peer_stat *x = &((const struct pf_peer_row *)a)->st, *y = &((const struct pf_peer_row *)b)->st;
	__u64 bx = x->bytes_received + x->bytes_sent, by = y->bytes_received + y->bytes_sent;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

json_t *pf_trace_net_json(const struct pf_trace *tr)
{
	json_t *out = json_array();
	struct pf_peer_row *rows = tr->npeers ? malloc(tr->npeers * sizeof(*rows)) : NULL;

	if (!rows)
		return out;
	memcpy(rows, tr->peers, tr->npeers * sizeof(*rows));
	qsort(rows, tr->npeers, sizeof(*rows), by_bytes_desc);
	for (size_t i = 0; i < tr->npeers; i++) {
		char name[64];

		pf_peer_name(&rows[i].key, name, sizeof(name));
		json_array_append_new(out, json_pack("{s:s, s:I, s:I, s:I, s:I}", "peer", name, "bytes_received",
						     (json_int_t)rows[i].st.bytes_received, "bytes_sent",
						     (json_int_t)rows[i].st.bytes_sent, "ns", (json_int_t)rows[i].st.ns,
						     "calls", (json_int_t)rows[i].st.calls));
	}
	free(rows);
	return out;
}
