/* SPDX-License-Identifier: MIT */
/*
 * Device handles: the IOTLB fast path, page-by-page DMA into guest RAM, scatter-gather.
 * Fast path: one IOTLB probe (epoch, page, permission, table generation) and nothing else; the
 * slow path (pe_xlate_slow) is out of line.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "pe/pe_int.h"

int dmawin_pe_dev_create(struct dmawin_pe *pe, const struct dmawin_pe_dev_config *cfg,
			 struct dmawin_pe_dev **out)
{
	uint32_t n = cfg ? cfg->iotlb_entries : 0;
	struct dmawin_pe_dev *dev;

	if (!pe || !out || n > DMAWIN_PE_MAX_IOTLB || (n & (n - 1)) != 0)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	if (n) {
		dev->iotlb = calloc(n, sizeof(*dev->iotlb));
		if (!dev->iotlb) {
			free(dev);
			return -ENOMEM;
		}
		dev->iotlb_mask = n - 1;
	}
	dev->pe = pe;
	dev->mem = pe->phb->mem;
	pthread_mutex_lock(&pe->lock);
	dev->quiescent = pe_epoch_load(pe);
	dev->next = pe->devs;
	pe->devs = dev;
	pe->ndevs++;
	pthread_mutex_unlock(&pe->lock);
	*out = dev;
	return 0;
}

void dmawin_pe_dev_destroy(struct dmawin_pe_dev *dev)
{
	struct dmawin_pe *pe;
	struct dmawin_pe_dev **link;

	if (!dev)
		return;
	pe = dev->pe;
	pthread_mutex_lock(&pe->lock);
	for (link = &pe->devs; *link && *link != dev; link = &(*link)->next)
		;
	if (*link) {
		*link = dev->next;
		pe->ndevs--;
	}
	for (int i = 0; i < PE_BUCKETS; i++)
		pe_bucket_read(&dev->st[i], &pe->dead[i]);
	pe_reclaim_locked(pe);
	pthread_mutex_unlock(&pe->lock);
	free(dev->iotlb);
	free(dev);
}

struct dmawin_pe *dmawin_pe_dev_pe(const struct dmawin_pe_dev *dev)
{
	return dev ? dev->pe : NULL;
}

static void record_fault(struct dmawin_pe_dev *dev, const struct dmawin_pe_xlate *xl, uint64_t addr,
			 enum dmawin_pe_dir dir)
{
	dev->last_fault = (struct dmawin_pe_fault_info){.reason = xl->fault,
							.dir = dir,
							.slot = xl->slot,
							.bus_addr = addr,
							.tce = xl->tce};
	dev->has_fault = true;
}

static noinline int dev_xlate_slow(struct dmawin_pe_dev *dev, uint64_t epoch, uint64_t addr,
				   enum dmawin_pe_dir dir, struct dmawin_pe_xlate *out,
				   struct pe_iotlb_entry *e)
{
	int ret = pe_xlate_slow(dev->pe, pe_winset_load(dev->pe), epoch, addr, dir, out, e);

	pe_count_xlate(dev->st, out, e != NULL);
	if (ret)
		record_fault(dev, out, addr, dir);
	return ret;
}

/* Translate one access: IOTLB hit inline, everything else in dev_xlate_slow(). */
static always_inline int dev_xlate(struct dmawin_pe_dev *dev, uint64_t addr, enum dmawin_pe_dir dir,
				   struct dmawin_pe_xlate *out)
{
	uint64_t epoch = pe_epoch_load(dev->pe);
	struct pe_iotlb_entry *e = NULL;

	if (dev->iotlb) {
		e = &dev->iotlb[(addr >> 12) & dev->iotlb_mask];
		if (likely(e->epoch == epoch && addr - e->bus <= e->mask &&
			   ((e->perm >> dir) & 1) &&
			   __atomic_load_n(e->gen_ptr, __ATOMIC_ACQUIRE) == e->gen)) {
			uint64_t off = addr & e->mask;
			struct pe_bucket *b = &dev->st[e->slot];

			out->gpa = e->gpa | off;
			out->len = e->mask - off + 1;
			out->tce = e->tce;
			out->slot = e->slot;
			out->page_shift = e->page_shift;
			out->fault = DMAWIN_PE_FAULT_NONE;
			pe_ctr_add(&b->translations, 1);
			pe_ctr_add(&b->iotlb_hits, 1);
			return 0;
		}
	}
	return dev_xlate_slow(dev, epoch, addr, dir, out, e);
}

static bool valid_dir(enum dmawin_pe_dir dir)
{
	return (unsigned int)dir == DMAWIN_PE_DMA_READ || (unsigned int)dir == DMAWIN_PE_DMA_WRITE;
}

int dmawin_pe_dev_translate(struct dmawin_pe_dev *dev, uint64_t bus_addr, enum dmawin_pe_dir dir,
			    struct dmawin_pe_xlate *out)
{
	int ret;

	if (!dev || !out || !valid_dir(dir))
		return -EINVAL;
	ret = dev_xlate(dev, bus_addr, dir, out);
	pe_dev_quiesce(dev);
	return ret;
}

/* Move n bytes between guest RAM at gpa and the buffer (dst for reads, src for writes). */
static int copy_chunk(struct dmawin_mem *mem, uint64_t gpa, uint8_t *dst, const uint8_t *src,
		      size_t n)
{
	void *host;

	if (likely(dmawin_mem_translate(mem, gpa, n, &host) == 0)) {
		if (dst)
			memcpy(dst, host, n);
		else
			memcpy(host, src, n);
		return 0;
	}
	return dst ? dmawin_mem_read(mem, gpa, dst, n) : dmawin_mem_write(mem, gpa, src, n);
}

static bool is_translation_fault(enum dmawin_pe_fault f)
{
	return f >= DMAWIN_PE_FAULT_NO_WINDOW && f <= DMAWIN_PE_FAULT_PERMISSION;
}

static void dma_fault(struct dmawin_pe_dev *dev, const struct dmawin_pe_xlate *xl)
{
	struct dmawin_pe *pe = dev->pe;

	if (is_translation_fault(xl->fault) &&
	    __atomic_load_n(&pe->freeze_on_fault, __ATOMIC_RELAXED) && pe_eeh_freeze_now(pe))
		pe_atomic_inc(&pe->eehc.fault_freezes);
}

/* Copy a gpa-contiguous run; when it is not all RAM, move what is, 4 KiB at a time, up to the
 * first hole. Returns the bytes moved. */
static size_t copy_run(struct dmawin_mem *mem, uint64_t gpa, uint8_t *dst, const uint8_t *src,
		       size_t n)
{
	size_t off = 0;

	if (likely(copy_chunk(mem, gpa, dst, src, n) == 0))
		return n;
	while (off < n) {
		size_t piece = (size_t)DW_MIN((uint64_t)(n - off),
					      PE_PAGE_4K - ((gpa + off) & (PE_PAGE_4K - 1)));

		if (copy_chunk(mem, gpa + off, dst ? dst + off : NULL, src ? src + off : NULL,
			       piece))
			break;
		off += piece;
	}
	return off;
}

static void not_ram_fault(struct dmawin_pe_dev *dev, int slot, uint64_t addr,
			  enum dmawin_pe_dir dir)
{
	struct dmawin_pe_xlate xl = {.fault = DMAWIN_PE_FAULT_NOT_RAM, .slot = slot};

	pe_ctr_add(&dev->st[slot].faults[DMAWIN_PE_FAULT_NOT_RAM], 1);
	record_fault(dev, &xl, addr, dir);
}

/*
 * Streaming: extend a run over the following pages of its table window by reading their TCEs
 * straight from the table (no IOTLB probe, no window selection, no fill), the common case of a
 * buffer mapped contiguously. Stops at the first page that needs the full path: outside the
 * window, unmapped or without the permission, not contiguous, or whenever EEH blocks or an
 * injected error is armed. Reading the table itself is always current, so the IOTLB's
 * staleness rule does not come into it.
 */
static size_t extend_run(struct dmawin_pe_dev *dev, uint64_t addr, size_t run, size_t want,
			 uint64_t run_gpa, int slot, enum dmawin_pe_dir dir)
{
	const struct pe_win *w = &pe_winset_load(dev->pe)->win[slot];
	uint64_t page, n = 0;

	if (!w->active || w->kind != DMAWIN_PE_WINDOW_TABLE ||
	    (__atomic_load_n(&dev->pe->eeh, __ATOMIC_ACQUIRE) & (PE_EEH_BLOCK | PE_EEH_ARMED)))
		return run;
	page = UINT64_C(1) << w->page_shift;
	while (run < want) {
		uint64_t a = addr + run, tce;

		if (a < w->start || a > w->last || ((a - w->bus_offset) & (page - 1)))
			break;
		tce = dmawin_tce_view_get(w->view, (a - w->bus_offset) >> w->page_shift);
		if (!(tce & (UINT64_C(1) << dir)) ||
		    dmawin_tce_addr(tce, w->page_shift) != run_gpa + run)
			break;
		run += (size_t)DW_MIN((uint64_t)(want - run), page);
		n++;
	}
	if (n)
		pe_ctr_add(&dev->st[slot].translations, n);
	return run;
}

/*
 * The transfer loop. Pages are translated in order and merged into runs while their guest
 * addresses follow each other (a guest maps buffers contiguously more often than not), so
 * that 4K IOMMU pages cost one copy per run, not one per page. A translation fault stops
 * the transfer after the run before it has been copied.
 */
static int dma_range(struct dmawin_pe_dev *dev, uint64_t addr, uint8_t *dst, const uint8_t *src,
		     size_t len, enum dmawin_pe_dir dir, size_t *moved)
{
	struct dmawin_pe_xlate xl;
	size_t done = 0;
	int ret = len ? dev_xlate(dev, addr, dir, &xl) : 0;

	while (!ret && done < len) {
		uint64_t run_gpa = xl.gpa;
		int slot = xl.slot;
		size_t run = (size_t)DW_MIN((uint64_t)(len - done), xl.len), got;

		while (done + run < len) {
			run = extend_run(dev, addr + done, run, len - done, run_gpa, slot, dir);
			if (done + run >= len)
				break;
			ret = dev_xlate(dev, addr + done + run, dir, &xl);
			if (ret || xl.gpa != run_gpa + run || xl.slot != slot)
				break;
			run += (size_t)DW_MIN((uint64_t)(len - done - run), xl.len);
		}
		got = copy_run(dev->mem, run_gpa, dst ? dst + done : NULL, src ? src + done : NULL,
			       run);
		pe_ctr_add(dir == DMAWIN_PE_DMA_READ ? &dev->st[slot].bytes_read
						     : &dev->st[slot].bytes_written,
			   got);
		done += got;
		if (unlikely(got < run)) {
			not_ram_fault(dev, slot, addr + done, dir);
			*moved += done;
			return -EFAULT;
		}
	}
	if (unlikely(ret))
		dma_fault(dev, &xl);
	*moved += done;
	return ret;
}

static bool range_ok(uint64_t addr, uint64_t len)
{
	uint64_t last;

	return len == 0 || !__builtin_add_overflow(addr, len - 1, &last);
}

static int dma_one(struct dmawin_pe_dev *dev, uint64_t addr, uint8_t *dst, const uint8_t *src,
		   size_t len, enum dmawin_pe_dir dir, size_t *done)
{
	size_t moved = 0;
	int ret;

	if (done)
		*done = 0;
	if (!dev || (!dst && !src && len) || !range_ok(addr, len))
		return -EINVAL;
	pe_ctr_add(&dev->st[PE_NO_SLOT].dma_ops, 1);
	pe_dev_dma_enter(dev);
	ret = dma_range(dev, addr, dst, src, len, dir, &moved);
	pe_dev_dma_exit(dev);
	pe_dev_quiesce(dev);
	if (done)
		*done = moved;
	return ret;
}

int dmawin_pe_dma_read(struct dmawin_pe_dev *dev, uint64_t bus_addr, void *dst, size_t len,
		       size_t *done)
{
	return dma_one(dev, bus_addr, dst, NULL, len, DMAWIN_PE_DMA_READ, done);
}

int dmawin_pe_dma_write(struct dmawin_pe_dev *dev, uint64_t bus_addr, const void *src, size_t len,
			size_t *done)
{
	return dma_one(dev, bus_addr, NULL, src, len, DMAWIN_PE_DMA_WRITE, done);
}

static bool sg_ok(const struct dmawin_pe_sg *sg, size_t nsg)
{
	size_t total = 0;

	if (!sg && nsg)
		return false;
	for (size_t i = 0; i < nsg; i++) {
		if (!range_ok(sg[i].bus_addr, sg[i].len) || sg[i].len > SIZE_MAX ||
		    __builtin_add_overflow(total, (size_t)sg[i].len, &total))
			return false;
	}
	return true;
}

static int dma_sg(struct dmawin_pe_dev *dev, const struct dmawin_pe_sg *sg, size_t nsg,
		  uint8_t *dst, const uint8_t *src, enum dmawin_pe_dir dir, size_t *done)
{
	size_t moved = 0;
	int ret = 0;

	if (done)
		*done = 0;
	if (!dev || !sg_ok(sg, nsg))
		return -EINVAL;
	for (size_t i = 0; i < nsg; i++)
		if (sg[i].len && !dst && !src)
			return -EINVAL;
	pe_ctr_add(&dev->st[PE_NO_SLOT].dma_ops, 1);
	pe_dev_dma_enter(dev);
	for (size_t i = 0; i < nsg && !ret; i++)
		ret = dma_range(dev, sg[i].bus_addr, dst ? dst + moved : NULL,
				src ? src + moved : NULL, (size_t)sg[i].len, dir, &moved);
	pe_dev_dma_exit(dev);
	pe_dev_quiesce(dev);
	if (done)
		*done = moved;
	return ret;
}

int dmawin_pe_dma_read_sg(struct dmawin_pe_dev *dev, const struct dmawin_pe_sg *sg, size_t nsg,
			  void *dst, size_t *done)
{
	return dma_sg(dev, sg, nsg, dst, NULL, DMAWIN_PE_DMA_READ, done);
}

int dmawin_pe_dma_write_sg(struct dmawin_pe_dev *dev, const struct dmawin_pe_sg *sg, size_t nsg,
			   const void *src, size_t *done)
{
	return dma_sg(dev, sg, nsg, NULL, src, DMAWIN_PE_DMA_WRITE, done);
}

#define PE_BARRIER_SPINS 4096

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__powerpc64__)
	__asm__ volatile("" ::: "memory");
#endif
}

void pe_dma_barrier_locked(struct dmawin_pe *pe)
{
	for (struct dmawin_pe_dev *d = pe->devs; d; d = d->next) {
		uint64_t seq = __atomic_fetch_add(&d->dma_seq, 0, __ATOMIC_ACQ_REL);
		unsigned spins = 0;

		/* A grace period, as synchronize_rcu(): transfers are short and never block, so
		 * spin for a few microseconds first; yield only when the device's thread seems
		 * descheduled (an oversubscribed machine), or each wait costs a time slice. */
		while ((seq & 1) && __atomic_load_n(&d->dma_seq, __ATOMIC_ACQUIRE) == seq) {
			if (++spins < PE_BARRIER_SPINS)
				cpu_relax();
			else
				sched_yield();
		}
	}
}

void dmawin_pe_dma_barrier(struct dmawin_pe *pe)
{
	if (!pe)
		return;
	pthread_mutex_lock(&pe->lock);
	pe_dma_barrier_locked(pe);
	pe_reclaim_locked(pe);
	pthread_mutex_unlock(&pe->lock);
}

int dmawin_pe_dev_last_fault(const struct dmawin_pe_dev *dev, struct dmawin_pe_fault_info *out)
{
	if (!dev || !out)
		return -EINVAL;
	if (!dev->has_fault)
		return -ENOENT;
	*out = dev->last_fault;
	return 0;
}

void dmawin_pe_dev_iotlb_flush(struct dmawin_pe_dev *dev)
{
	if (dev && dev->iotlb)
		memset(dev->iotlb, 0, (dev->iotlb_mask + 1) * sizeof(*dev->iotlb));
}

int dmawin_pe_dev_stats(const struct dmawin_pe_dev *dev, struct dmawin_pe_stats *out)
{
	struct pe_bucket sum = {0};

	if (!dev || !out)
		return -EINVAL;
	for (int i = 0; i < PE_BUCKETS; i++)
		pe_bucket_read(&dev->st[i], &sum);
	pe_bucket_to_stats(&sum, out);
	return 0;
}
