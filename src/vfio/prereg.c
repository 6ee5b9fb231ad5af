/* SPDX-License-Identifier: MIT */
/*
 * The process memory context: preregistered regions of the caller's own memory
 * (arch/powerpc/mm/book3s64/iommu_api.c, spec §2). The region list is published copy-on-write so
 * that MAP looks regions up without a lock, as Linux does under RCU; a removed region and every
 * retired list stay allocated until the mm is destroyed because a lockless reader may hold them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio/vfio_int.h"

int dmawin_vfio_mm_create(struct dmawin_mem *mem, unsigned int host_page_shift,
			  struct dmawin_vfio_mm **out)
{
	struct dmawin_vfio_mm *mm;
	struct vfio_region_list *list;

	if (!mem || !out)
		return -EINVAL;
	if (host_page_shift == 0)
		host_page_shift = 16;
	if (host_page_shift != 12 && host_page_shift != 16)
		return -EINVAL;
	mm = calloc(1, sizeof(*mm));
	list = calloc(1, sizeof(*list));
	if (!mm || !list) {
		free(mm);
		free(list);
		return -ENOMEM;
	}
	mm->mem = mem;
	mm->host_page_shift = host_page_shift;
	pthread_mutex_init(&mm->lock, NULL);
	atomic_init(&mm->list, list);
	*out = mm;
	return 0;
}

static void region_unresolve(struct dmawin_vfio_mm *mm, struct vfio_region *r);

static void region_free(struct vfio_region *r)
{
	free(r->dirty);
	free(r);
}

int dmawin_vfio_mm_destroy(struct dmawin_vfio_mm *mm)
{
	struct vfio_region_list *list;

	if (!mm)
		return 0;
	pthread_mutex_lock(&mm->lock);
	if (mm->users) {
		pthread_mutex_unlock(&mm->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&mm->lock);
	list = atomic_load(&mm->list);
	/* Regions still listed were orphaned by a container closed while another one mapped
	 * them (Linux keeps them until the mm goes away). */
	for (unsigned int i = 0; i < list->count; i++) {
		region_unresolve(mm, list->region[i]);
		dmawin_mem_lock_uncharge(mm->mem, list->region[i]->size);
		region_free(list->region[i]);
	}
	free(list);
	while (mm->retired) {
		list = mm->retired;
		mm->retired = list->retired_next;
		free(list);
	}
	while (mm->dead) {
		struct vfio_region *r = mm->dead;

		mm->dead = r->dead_next;
		region_free(r);
	}
	pthread_mutex_destroy(&mm->lock);
	free(mm);
	return 0;
}

void vfio_mm_ref(struct dmawin_vfio_mm *mm)
{
	pthread_mutex_lock(&mm->lock);
	mm->users++;
	pthread_mutex_unlock(&mm->lock);
}

void vfio_mm_unref(struct dmawin_vfio_mm *mm)
{
	pthread_mutex_lock(&mm->lock);
	mm->users--;
	pthread_mutex_unlock(&mm->lock);
}

/* Index of the first region whose ua is above @ua (binary search). */
static unsigned int list_upper(const struct vfio_region_list *l, uint64_t ua)
{
	unsigned int lo = 0, hi = l->count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (l->region[mid]->ua <= ua)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vfio_region *vfio_region_lookup(const struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t size)
{
	const struct vfio_region_list *l = vfio_regions(mm);
	unsigned int i = list_upper(l, ua);
	struct vfio_region *r;

	if (i == 0)
		return NULL;
	r = l->region[i - 1];
	return vfio_region_contains(r, ua, size) ? r : NULL;
}

struct vfio_region *vfio_region_get(struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t entries)
{
	const struct vfio_region_list *l;
	struct vfio_region *found = NULL;

	pthread_mutex_lock(&mm->lock);
	l = vfio_regions(mm);
	for (unsigned int i = 0; i < l->count; i++) {
		if (l->region[i]->ua == ua && l->region[i]->entries == entries) {
			found = l->region[i];
			found->used++;
			break;
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return found;
}

/* Publishes a copy of the list with @add inserted or @del removed (mm->lock held). */
static int list_replace_locked(struct dmawin_vfio_mm *mm, struct vfio_region *add,
			       const struct vfio_region *del)
{
	struct vfio_region_list *old = atomic_load(&mm->list), *nl;
	unsigned int n = old->count + (add ? 1 : 0) - (del ? 1 : 0), j = 0;

	nl = malloc(sizeof(*nl) + (size_t)(n ? n : 1) * sizeof(nl->region[0]));
	if (!nl)
		return -ENOMEM;
	for (unsigned int i = 0; i < old->count; i++) {
		if (add && add->ua < old->region[i]->ua) {
			nl->region[j++] = add;
			add = NULL;
		}
		if (old->region[i] != del)
			nl->region[j++] = old->region[i];
	}
	if (add)
		nl->region[j++] = add;
	nl->count = n;
	nl->retired_next = NULL;
	atomic_store_explicit(&mm->list, nl, memory_order_release);
	old->retired_next = mm->retired;
	mm->retired = old;
	return 0;
}

/* Whether [ua, ua + size) is mapped memory of this process (the "pin" cannot fail there). */
static bool range_is_mapped(uint64_t ua, uint64_t size)
{
	unsigned char vec[256];
	uint64_t psz = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t chunk = psz * sizeof(vec);

	for (uint64_t off = 0; off < size; off += chunk) {
		uint64_t len = DW_MIN(chunk, size - off);

		if (mincore((void *)(uintptr_t)(ua + off), (size_t)len, vec) != 0)
			return false;
	}
	return true;
}

/*
 * Resolves [ua, ua + size) to host physical memory: the mem region whose host memory holds it,
 * or a new external region for a buffer outside every region. Gives the hpa of ua and the
 * backing page size.
 */
static int region_resolve(struct dmawin_vfio_mm *mm, struct vfio_region *r, uint64_t *backing)
{
	unsigned int n = dmawin_mem_region_count(mm->mem);
	struct dmawin_mem_region_opts opts = {0};
	uint64_t top, gpa;
	int ret;

	for (unsigned int i = 0; i < n; i++) {
		struct dmawin_mem_region_info info;
		uint64_t host;

		if (dmawin_mem_region_info(mm->mem, i, &info) != 0)
			continue;
		host = (uint64_t)(uintptr_t)info.host;
		if (r->ua < host + info.size && host < r->ua + r->size) {
			if (r->ua < host || r->ua + r->size > host + info.size)
				return -EFAULT; /* straddles a region edge */
			r->hpa = info.gpa + (r->ua - host);
			*backing = info.page_size;
			return 0;
		}
	}
	if (!range_is_mapped(r->ua, r->size))
		return -EFAULT;
	top = dmawin_mem_top(mm->mem);
	gpa = DW_MAX(DW_ALIGN_UP(top, UINT64_C(1) << 30), VFIO_EXTERNAL_HPA_BASE);
	opts.host = (void *)(uintptr_t)r->ua;
	ret = dmawin_mem_add_region(mm->mem, gpa, r->size, &opts);
	if (ret)
		return ret == -ENOMEM ? -ENOMEM : -EFAULT;
	r->hpa = gpa;
	r->external = true;
	*backing = (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

static bool overlaps_locked(struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t size)
{
	const struct vfio_region_list *l = vfio_regions(mm);

	for (unsigned int i = 0; i < l->count; i++) {
		const struct vfio_region *o = l->region[i];

		if (o->ua < ua + size && ua < o->ua + o->size)
			return true;
	}
	return false;
}

/* The largest IOMMU page the region can back: natural alignment, capped by huge backing. */
static unsigned int region_pageshift(const struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t size,
				     uint64_t backing)
{
	unsigned int shift = (unsigned int)__builtin_ctzll(ua | size);
	unsigned int bshift = (unsigned int)__builtin_ctzll(backing);

	if (shift > mm->host_page_shift && bshift > mm->host_page_shift)
		return DW_MIN(shift, bshift);
	return mm->host_page_shift;
}

static void region_unresolve(struct dmawin_vfio_mm *mm, struct vfio_region *r)
{
	if (r->external)
		dmawin_mem_remove_region(mm->mem, r->hpa);
	r->external = false;
}

int vfio_region_new(struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t entries,
		    struct vfio_region **out)
{
	uint64_t size = entries << mm->host_page_shift, backing = 0, words = (entries + 63) / 64;
	struct vfio_region *r;
	int ret;

	/* Linux: mm_iommu_do_alloc's vzalloc(0) of the hpas array returns NULL. */
	if (entries == 0)
		return -ENOMEM;
	pthread_mutex_lock(&mm->lock);
	/* account_locked_vm first, as Linux: the limit also bounds what is allocated next */
	if (dmawin_mem_lock_charge(mm->mem, size) != 0) {
		pthread_mutex_unlock(&mm->lock);
		return -ENOMEM;
	}
	r = calloc(1, sizeof(*r));
	if (r)
		r->dirty = calloc((size_t)words, sizeof(r->dirty[0]));
	if (!r || !r->dirty) {
		free(r);
		r = NULL;
		ret = -ENOMEM;
		goto out_uncharge;
	}
	r->ua = ua;
	r->size = size;
	r->entries = entries;
	ret = region_resolve(mm, r, &backing);
	if (ret)
		goto out_uncharge;
	if (overlaps_locked(mm, ua, size)) {
		ret = -EINVAL;
		goto out_unresolve;
	}
	/* Our host memory is not always hpa-aligned like real huge pages: cap by the hpa too. */
	r->pageshift = region_pageshift(mm, ua | (r->hpa ? r->hpa : ua), size, backing);
	r->used = 1;
	atomic_init(&r->mapped, 1);
	ret = list_replace_locked(mm, r, NULL);
	if (ret)
		goto out_unresolve;
	pthread_mutex_unlock(&mm->lock);
	*out = r;
	return 0;
out_unresolve:
	region_unresolve(mm, r);
out_uncharge:
	dmawin_mem_lock_uncharge(mm->mem, size);
	pthread_mutex_unlock(&mm->lock);
	if (r)
		region_free(r);
	return ret;
}

int vfio_region_put(struct dmawin_vfio_mm *mm, struct vfio_region *r)
{
	int64_t one = 1;
	int ret = 0;

	pthread_mutex_lock(&mm->lock);
	if (r->used == 0) {
		ret = -ENOENT;
		goto out;
	}
	if (--r->used)
		goto out;
	/* Last user: no TCE may point here any more, and none may start to. */
	if (!atomic_compare_exchange_strong(&r->mapped, &one, 0)) {
		r->used++;
		ret = -EBUSY;
		goto out;
	}
	ret = list_replace_locked(mm, NULL, r);
	if (ret) {
		atomic_store(&r->mapped, 1);
		r->used++;
		goto out;
	}
	region_unresolve(mm, r);
	dmawin_mem_lock_uncharge(mm->mem, r->size);
	r->dead_next = mm->dead;
	mm->dead = r;
out:
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

void vfio_region_mark_dirty(const struct dmawin_vfio_mm *mm, struct vfio_region *r, uint64_t ua)
{
	uint64_t page = (ua - r->ua) >> mm->host_page_shift;

	uint64_t bit = UINT64_C(1) << (page % 64);

	/* Usually already dirty after the first unmap: skip the read-modify-write then. */
	if (!(atomic_load_explicit(&r->dirty[page / 64], memory_order_relaxed) & bit))
		atomic_fetch_or_explicit(&r->dirty[page / 64], bit, memory_order_relaxed);
}

unsigned int dmawin_vfio_mm_region_count(const struct dmawin_vfio_mm *mm)
{
	return mm ? vfio_regions(mm)->count : 0;
}

int dmawin_vfio_mm_region(const struct dmawin_vfio_mm *mm, uint64_t ua,
			  struct dmawin_vfio_region_info *info)
{
	struct vfio_region *r;

	if (!mm || !info)
		return -EINVAL;
	r = vfio_region_lookup(mm, ua, 1);
	if (!r)
		return -ENOENT;
	pthread_mutex_lock(&(VFIO_MUTABLE(struct dmawin_vfio_mm, mm))->lock);
	info->ua = r->ua;
	info->size = r->size;
	info->hpa = r->hpa;
	info->pageshift = r->pageshift;
	info->used = r->used;
	info->mapped = (uint64_t)atomic_load(&r->mapped);
	pthread_mutex_unlock(&(VFIO_MUTABLE(struct dmawin_vfio_mm, mm))->lock);
	return 0;
}

int dmawin_vfio_mm_dirty(struct dmawin_vfio_mm *mm, uint64_t ua, bool clear)
{
	struct vfio_region *r;
	uint64_t page, bit, old;

	if (!mm)
		return -EINVAL;
	r = vfio_region_lookup(mm, ua, 1);
	if (!r)
		return -ENOENT;
	page = (ua - r->ua) >> mm->host_page_shift;
	bit = UINT64_C(1) << (page % 64);
	if (clear)
		old = atomic_fetch_and(&r->dirty[page / 64], ~bit);
	else
		old = atomic_load(&r->dirty[page / 64]);
	return (old & bit) ? 1 : 0;
}
