/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: vCPU threads issue hcalls on their own ranges of both windows while device
 * threads DMA through pe and another thread queries RTAS and takes snapshots; every thread's
 * final entries must be what it last wrote, and device reads only ever see data that a mapped
 * TCE allowed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "papr/papr_int.h"
#include "papr_test.h"

#define VCPUS	       4
#define ROUNDS	       20000
#define PAGES_PER_VCPU 64

struct shared {
	struct dmawin_papr *m;
	uint32_t ddw_liobn;
	uint64_t ddw_start;
	atomic_bool stop;
	atomic_uint bad;
};

struct vcpu {
	struct shared *s;
	unsigned id;
	uint64_t seed;
};

static uint64_t ram_page(unsigned id, unsigned i)
{
	return 0x1000000 + ((uint64_t)id * PAGES_PER_VCPU + i) * 4096;
}

static void *vcpu_fn(void *arg)
{
	struct vcpu *v = arg;
	struct dmawin_papr *m = v->s->m;
	uint64_t list_gpa = 0x100000 + v->id * 4096, base = (uint64_t)v->id * PAGES_PER_VCPU * 4096;
	uint64_t tces[PAGES_PER_VCPU];

	for (unsigned round = 0; round < ROUNDS; round++) {
		unsigned i = (unsigned)(dw_test_rand(&v->seed) % PAGES_PER_VCPU);
		uint64_t tce = ram_page(v->id, i) | 3, got = 0;
		switch (round % 4) {
		case 0:
			if (dmawin_papr_h_put_tce(m, LIOBN0, base + i * 4096, tce) != 0)
				atomic_fetch_add(&v->s->bad, 1);
			break;
		case 1:
			for (unsigned k = 0; k < PAGES_PER_VCPU; k++)
				tces[k] = ram_page(v->id, k) | 1;
			put_list(m, list_gpa, tces, PAGES_PER_VCPU);
			if (dmawin_papr_h_put_tce_indirect(m, LIOBN0, base, list_gpa,
							   PAGES_PER_VCPU))
				atomic_fetch_add(&v->s->bad, 1);
			break;
		case 2:
			if (dmawin_papr_h_stuff_tce(m, LIOBN0, base + i * 4096, 0, 1) != 0)
				atomic_fetch_add(&v->s->bad, 1);
			break;
		default:
			if (dmawin_papr_h_put_tce(m, v->s->ddw_liobn,
						  v->s->ddw_start + ((uint64_t)v->id << 24),
						  ((uint64_t)v->id << 24) | 3) != 0 ||
			    dmawin_papr_h_get_tce(m, LIOBN0, base + i * 4096, &got) != 0)
				atomic_fetch_add(&v->s->bad, 1);
			/* only this vCPU writes its range: what it reads is one of its values */
			if (got && (got & ~3ull) != ram_page(v->id, i))
				atomic_fetch_add(&v->s->bad, 1);
		}
	}
	/* leave a known final state */
	for (unsigned k = 0; k < PAGES_PER_VCPU; k++)
		dmawin_papr_h_put_tce(m, LIOBN0, base + k * 4096, ram_page(v->id, k) | 3);
	return NULL;
}

/* A device reading a vCPU's pages: any successful read returns the page's own stamp. */
static void *device_fn(void *arg)
{
	struct shared *s = arg;
	struct dmawin_pe_dev *dev;
	uint64_t seed = 77, stamp;

	if (dmawin_pe_dev_create(dmawin_papr_phb_pe(s->m, 0), NULL, &dev) != 0) {
		atomic_fetch_add(&s->bad, 1);
		return NULL;
	}
	while (!atomic_load(&s->stop)) {
		unsigned id = (unsigned)(dw_test_rand(&seed) % VCPUS);
		unsigned i = (unsigned)(dw_test_rand(&seed) % PAGES_PER_VCPU);
		uint64_t bus = ((uint64_t)id * PAGES_PER_VCPU + i) * 4096;
		int rc = dmawin_pe_dma_read(dev, bus, &stamp, 8, NULL);
		if (rc == 0 && stamp != ram_page(id, i))
			atomic_fetch_add(&s->bad, 1);
		if (rc != 0 && rc != -EFAULT)
			atomic_fetch_add(&s->bad, 1);
	}
	dmawin_pe_dev_destroy(dev);
	return NULL;
}

static void *rtas_fn(void *arg)
{
	struct shared *s = arg;
	struct dmawin_papr_ddw_query q;

	while (!atomic_load(&s->stop)) {
		if (dmawin_papr_rtas_query_pe_dma_window(s->m, 0, BUID_HI(BUID0), BUID_LO(BUID0), 6,
							 NULL, &q) != 0 ||
		    q.windows_available != 0 || papr_check(s->m) != 0)
			atomic_fetch_add(&s->bad, 1);
	}
	return NULL;
}

static void test_papr_threads_hcalls_dma_rtas(void **state)
{
	struct dmawin_papr *m = papr_test_machine();
	struct shared s = {.m = m};
	struct vcpu v[VCPUS];
	pthread_t tv[VCPUS], td, tr;

	(void)state;
	/* each RAM page carries its own address as a stamp */
	for (unsigned id = 0; id < VCPUS; id++)
		for (unsigned i = 0; i < PAGES_PER_VCPU; i++) {
			uint64_t gpa = ram_page(id, i);
			assert_int_equal(dmawin_mem_write(dmawin_papr_mem(m), gpa, &gpa, 8), 0);
		}
	assert_int_equal(create_ddw(m, 24, 28, &s.ddw_liobn, &s.ddw_start), 0);
	for (unsigned i = 0; i < VCPUS; i++) {
		v[i] = (struct vcpu){.s = &s, .id = i, .seed = 1000 + i};
		assert_int_equal(pthread_create(&tv[i], NULL, vcpu_fn, &v[i]), 0);
	}
	assert_int_equal(pthread_create(&td, NULL, device_fn, &s), 0);
	assert_int_equal(pthread_create(&tr, NULL, rtas_fn, &s), 0);
	for (unsigned i = 0; i < VCPUS; i++)
		pthread_join(tv[i], NULL);
	atomic_store(&s.stop, true);
	pthread_join(td, NULL);
	pthread_join(tr, NULL);
	assert_int_equal(atomic_load(&s.bad), 0);
	for (unsigned id = 0; id < VCPUS; id++) {
		for (unsigned i = 0; i < PAGES_PER_VCPU; i++)
			assert_int_equal(
				get_tce(m, LIOBN0, ((uint64_t)id * PAGES_PER_VCPU + i) * 4096),
				ram_page(id, i) | 3);
		assert_int_equal(get_tce(m, s.ddw_liobn, s.ddw_start + ((uint64_t)id << 24)),
				 ((uint64_t)id << 24) | 3);
	}
	assert_int_equal(papr_check(m), 0);
	dmawin_papr_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_papr_threads_hcalls_dma_rtas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
