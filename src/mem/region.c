/* SPDX-License-Identifier: MIT */
/* Guest RAM regions: creation, backing memory, the copy-on-write region table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mem_int.h"

static uint64_t process_memlock_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return (uint64_t)rl.rlim_cur;
}

int dmawin_mem_create(const struct dmawin_mem_config *cfg, struct dmawin_mem **out)
{
	struct dmawin_mem_config defaults = {0};
	struct dmawin_mem *mem;

	if (!out)
		return -EINVAL;
	if (!cfg)
		cfg = &defaults;
	if (cfg->backing != DMAWIN_MEM_ANON && cfg->backing != DMAWIN_MEM_MEMFD)
		return -EINVAL;
	mem = calloc(1, sizeof(*mem));
	if (!mem)
		return -ENOMEM;
	mem->regions = calloc(1, sizeof(struct mem_region_table));
	if (!mem->regions) {
		free(mem);
		return -ENOMEM;
	}
	mem->cfg = *cfg;
	atomic_init(&mem->lock_limit, cfg->lock_limit ? cfg->lock_limit : process_memlock_limit());
	pthread_mutex_init(&mem->lock, NULL);
	*out = mem;
	return 0;
}

static void region_release(struct mem_region *r)
{
	if (r->map_size)
		munmap(r->host, r->map_size);
	if (r->fd >= 0)
		close(r->fd);
}

void dmawin_mem_destroy(struct dmawin_mem *mem)
{
	struct mem_region_table *t, *next;

	if (!mem)
		return;
	t = atomic_load(&mem->regions);
	for (unsigned i = 0; i < t->count; i++)
		region_release(&t->region[i]);
	free(t);
	for (t = mem->retired; t; t = next) {
		next = t->retired_next;
		free(t);
	}
	mem_pin_free(mem);
	pthread_mutex_destroy(&mem->lock);
	free(mem);
}

static uint64_t system_hugepage_size(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return (uint64_t)kib * 1024;
}

static int map_memfd(struct mem_region *r, bool huge)
{
	unsigned flags = MFD_CLOEXEC | (huge ? MFD_HUGETLB : 0);
	int fd = memfd_create("dmawin-guest-ram", flags);
	void *p;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)r->size) != 0) {
		close(fd);
		return -ENOMEM;
	}
	/* hugetlb reserves at mmap time, so a missing pool fails here, not with SIGBUS later. */
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | (huge ? 0 : MAP_NORESERVE),
		 fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}
	r->fd = fd;
	r->host = p;
	r->map_size = r->size;
	return 0;
}

static int map_backing(const struct dmawin_mem *mem, struct mem_region *r)
{
	uint64_t huge;
	void *p;

	r->fd = -1;
	if (mem->cfg.backing == DMAWIN_MEM_MEMFD) {
		if (mem->cfg.hugepages) {
			huge = system_hugepage_size();
			if (huge && DW_IS_ALIGNED(r->gpa | r->size, huge) && map_memfd(r, true) == 0) {
				if (r->page_size < huge)
					r->page_size = huge;
				return 0;
			}
			r->hugepage_fallback = true;
		}
		return map_memfd(r, false);
	}
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	r->host = p;
	r->map_size = r->size;
	return 0;
}

static bool overlaps(const struct mem_region_table *t, uint64_t gpa, uint64_t end)
{
	for (unsigned i = 0; i < t->count; i++)
		if (gpa < t->region[i].gpa + t->region[i].size && t->region[i].gpa < end)
			return true;
	return false;
}

static int validate_new_region(const struct mem_region_table *t, uint64_t gpa, uint64_t size,
			       uint64_t page_size)
{
	uint64_t end;

	if (size == 0 || page_size < MEM_PIN_PAGE_SIZE || (page_size & (page_size - 1)))
		return -EINVAL;
	if (!DW_IS_ALIGNED(gpa | size, page_size) || __builtin_add_overflow(gpa, size, &end))
		return -EINVAL;
	if (overlaps(t, gpa, end))
		return -EEXIST;
	if (t->count >= DMAWIN_MEM_MAX_REGIONS)
		return -ENOSPC;
	return 0;
}

/* Publishes `next` and retires the table it replaces; caller holds mem->lock. */
static void publish_locked(struct dmawin_mem *mem, struct mem_region_table *next)
{
	struct mem_region_table *old = atomic_load_explicit(&mem->regions, memory_order_relaxed);

	atomic_store_explicit(&mem->regions, next, memory_order_release);
	old->retired_next = mem->retired;
	mem->retired = old;
}

static struct mem_region_table *table_alloc(unsigned count)
{
	return calloc(1, sizeof(struct mem_region_table) + count * sizeof(struct mem_region));
}

static int add_region_locked(struct dmawin_mem *mem, const struct mem_region *proto)
{
	const struct mem_region_table *cur = mem_regions(mem);
	struct mem_region_table *next;
	struct mem_region r = *proto;
	unsigned pos = 0;
	int ret;

	ret = validate_new_region(cur, r.gpa, r.size, r.page_size);
	if (ret)
		return ret;
	next = table_alloc(cur->count + 1);
	if (!next)
		return -ENOMEM;
	if (!r.external) {
		ret = map_backing(mem, &r);
		if (ret) {
			free(next);
			return ret;
		}
	}
	while (pos < cur->count && cur->region[pos].gpa < r.gpa)
		pos++;
	memcpy(next->region, cur->region, pos * sizeof(r));
	next->region[pos] = r;
	memcpy(next->region + pos + 1, cur->region + pos, (cur->count - pos) * sizeof(r));
	next->count = cur->count + 1;
	publish_locked(mem, next);
	return 0;
}

int dmawin_mem_add_region(struct dmawin_mem *mem, uint64_t gpa, uint64_t size,
			  const struct dmawin_mem_region_opts *opts)
{
	long sys_page = sysconf(_SC_PAGESIZE);
	struct mem_region r = {
		.gpa = gpa,
		.size = size,
		.page_size = (opts && opts->page_size) ? opts->page_size : (uint64_t)sys_page,
		.host = opts ? opts->host : NULL,
		.external = opts && opts->host,
		.backing = mem ? mem->cfg.backing : DMAWIN_MEM_ANON,
		.fd = -1,
	};
	int ret;

	if (!mem)
		return -EINVAL;
	pthread_mutex_lock(&mem->lock);
	ret = add_region_locked(mem, &r);
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

int dmawin_mem_remove_region(struct dmawin_mem *mem, uint64_t gpa)
{
	const struct mem_region_table *cur;
	struct mem_region_table *next;
	struct mem_region victim;
	unsigned i;
	int ret = 0;

	pthread_mutex_lock(&mem->lock);
	cur = mem_regions(mem);
	for (i = 0; i < cur->count && cur->region[i].gpa != gpa; i++)
		;
	if (i == cur->count) {
		ret = -ENOENT;
	} else if (mem_pin_any_locked(mem, gpa, gpa + cur->region[i].size)) {
		ret = -EBUSY;
	} else if (!(next = table_alloc(cur->count - 1))) {
		ret = -ENOMEM;
	} else {
		victim = cur->region[i];
		memcpy(next->region, cur->region, i * sizeof(victim));
		memcpy(next->region + i, cur->region + i + 1,
		       (cur->count - i - 1) * sizeof(victim));
		next->count = cur->count - 1;
		publish_locked(mem, next);
		region_release(&victim);
	}
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

unsigned dmawin_mem_region_count(const struct dmawin_mem *mem)
{
	return mem_regions(mem)->count;
}

int dmawin_mem_region_info(const struct dmawin_mem *mem, unsigned index,
			   struct dmawin_mem_region_info *info)
{
	const struct mem_region_table *t = mem_regions(mem);
	const struct mem_region *r;

	if (index >= t->count || !info)
		return -ENOENT;
	r = &t->region[index];
	*info = (struct dmawin_mem_region_info){
		.gpa = r->gpa,
		.size = r->size,
		.host = r->host,
		.page_size = r->page_size,
		.backing = r->backing,
		.external = r->external,
		.hugepage_fallback = r->hugepage_fallback,
	};
	return 0;
}

uint64_t dmawin_mem_top(const struct dmawin_mem *mem)
{
	const struct mem_region_table *t = mem_regions(mem);

	return t->count ? t->region[t->count - 1].gpa + t->region[t->count - 1].size : 0;
}

uint64_t dmawin_mem_total(const struct dmawin_mem *mem)
{
	const struct mem_region_table *t = mem_regions(mem);
	uint64_t total = 0;

	for (unsigned i = 0; i < t->count; i++)
		total += t->region[i].size;
	return total;
}
