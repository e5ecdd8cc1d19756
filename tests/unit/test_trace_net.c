// SPDX-License-Identifier: GPL-2.0-only
/* Socket bytes by peer (trace_net.h) and the installer terms' compiler processes
 * (report_install.h): how a peer is named, how rows are ordered in the JSON, and which
 * executables count as building. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "trace_model.h"
#include "trace_net.h"
#include "report_install.h"

static struct pf_peer_key inet(const char *a4, __u16 port)
{
	struct pf_peer_key k = { .family = PF_AF_INET, .port = port };
	memcpy(k.addr, a4, 4);
	return k;
}

static void peer_names(void **state)
{
	(void)state;
	char buf[64];
	struct pf_peer_key k = inet("\x0a\xd5\x09\x02", 8503);
	pf_peer_name(&k, buf, sizeof(buf));
	assert_string_equal(buf, "10.213.9.2:8503");
	struct pf_peer_key k6 = { .family = PF_AF_INET6, .port = 443 };
	k6.addr[15] = 1;
	pf_peer_name(&k6, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:443");
	struct pf_peer_key ku = { .family = PF_AF_UNIX };
	pf_peer_name(&ku, buf, sizeof(buf));
	assert_string_equal(buf, "unix");
}

static void json_by_bytes(void **state)
{
	(void)state;
	struct pf_peer_row rows[2] = {
		{ .key = { .family = PF_AF_UNIX }, .st = { .bytes_received = 10, .bytes_sent = 5, .ns = 7, .calls = 2 } },
		{ .key = inet("\x7f\x00\x00\x01", 80), .st = { .bytes_received = 1000, .bytes_sent = 1, .calls = 3 } },
	};
	struct pf_trace tr = { .peers = rows, .npeers = 2 };
	json_t *j = pf_trace_net_json(&tr);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "peer")), "127.0.0.1:80");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "bytes_received")), 1000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "peer")), "unix");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 1), "ns")), 7);
	assert_int_equal(rows[0].key.family, PF_AF_UNIX); /* the model keeps its order: a copy is sorted */
	json_decref(j);
}

static void compilers(void **state)
{
	(void)state;
	const char *yes[] = { "/usr/bin/x86_64-linux-gnu-gcc-12", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
			      "/usr/bin/x86_64-linux-gnu-as", "/usr/lib/gcc/x86_64-linux-gnu/12/collect2",
			      "/usr/bin/x86_64-linux-gnu-ld.bfd", "/usr/bin/gcc", "cc", "/usr/bin/clang-16", NULL };
	const char *no[] = { "/usr/bin/python3", "/usr/bin/gcc-ar", "/usr/bin/x86_64-linux-gnu-objdump",
			     "/usr/bin/dash", "/usr/bin/ldd", "", NULL };
	for (const char **e = yes; *e; e++)
		assert_true(pf_install_is_compiler(*e));
	for (const char **e = no; *e; e++)
		assert_false(pf_install_is_compiler(*e));
	assert_false(pf_install_is_compiler(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(peer_names),
		cmocka_unit_test(json_by_bytes),
		cmocka_unit_test(compilers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
