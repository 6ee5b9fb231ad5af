/* SPDX-License-Identifier: MIT */
/*
 * EEH per PE, modelled on PAPR / Linux (VFIO_EEH_PE_* ops). The state is one atomic word:
 * operations change it under the PE mutex with compare-and-swap, because device threads may
 * freeze the PE concurrently (fault policy, injected error) without the mutex.
 */
#include <errno.h>

#include "pe/pe_int.h"

static uint32_t eeh_load(const struct dmawin_pe *pe)
{
	return __atomic_load_n(&pe->eeh, __ATOMIC_ACQUIRE);
}

/* Atomically: new = (old & ~clear) | set. Returns the old word. */
static uint32_t eeh_modify(struct dmawin_pe *pe, uint32_t clear, uint32_t set)
{
	uint32_t old = eeh_load(pe);

	while (!__atomic_compare_exchange_n(&pe->eeh, &old, (old & ~clear) | set, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
	return old;
}

static int state_of(uint32_t w)
{
	bool mmio = w & PE_EEH_MMIO_FROZEN, dma = w & PE_EEH_DMA_FROZEN;

	if (!(w & PE_EEH_ENABLED))
		return DMAWIN_PE_EEH_UNAVAIL;
	if (w & PE_EEH_RESET)
		return DMAWIN_PE_EEH_RESET;
	if (mmio && dma)
		return DMAWIN_PE_EEH_STOPPED;
	if (dma)
		return DMAWIN_PE_EEH_STOPPED_DMA;
	if (mmio)
		return DMAWIN_PE_EEH_UNAVAIL;
	return DMAWIN_PE_EEH_NORMAL;
}

int dmawin_pe_eeh_state(struct dmawin_pe *pe)
{
	if (!pe)
		return -EINVAL;
	return state_of(eeh_load(pe));
}

/* Common gate of the operations below: enabled, and (when asked) reset not asserted. */
static int gate_locked(struct dmawin_pe *pe, bool refuse_reset)
{
	uint32_t w = eeh_load(pe);

	if (!(w & PE_EEH_ENABLED))
		return -EPERM;
	if (refuse_reset && (w & PE_EEH_RESET))
		return -EBUSY;
	return 0;
}

/* Disable a NORMAL, configured PE (an armed trigger is dropped with it). */
static int disable_locked(struct dmawin_pe *pe)
{
	uint32_t old = eeh_load(pe);

	do {
		if (!(old & PE_EEH_ENABLED))
			return 0;
		if (old & ~(PE_EEH_ENABLED | PE_EEH_ARMED))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&pe->eeh, &old, 0, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	pe_epoch_bump(pe);
	return 0;
}

int dmawin_pe_eeh_set_enabled(struct dmawin_pe *pe, bool enabled)
{
	int ret = 0;

	if (!pe)
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	if (enabled)
		eeh_modify(pe, 0, PE_EEH_ENABLED);
	else
		ret = disable_locked(pe);
	pthread_mutex_unlock(&pe->lock);
	return ret;
}

int dmawin_pe_eeh_set_freeze_on_fault(struct dmawin_pe *pe, bool freeze)
{
	if (!pe)
		return -EINVAL;
	__atomic_store_n(&pe->freeze_on_fault, freeze ? 1u : 0u, __ATOMIC_RELAXED);
	return 0;
}

int dmawin_pe_eeh_freeze(struct dmawin_pe *pe)
{
	int ret;

	if (!pe)
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	ret = gate_locked(pe, true);
	if (!ret) {
		pe_eeh_freeze_now(pe);
		pe_dma_barrier_locked(pe);
	}
	pthread_mutex_unlock(&pe->lock);
	return ret;
}

/*
 * Thaw and configure are the same step on different bits: past the gate (enabled, not in
 * reset), clear @bit and count the operation in @counter.
 */
static int clear_counted(struct dmawin_pe *pe, uint32_t bit, uint64_t *counter)
{
	int ret;

	pthread_mutex_lock(&pe->lock);
	ret = gate_locked(pe, true);
	if (!ret) {
		eeh_modify(pe, bit, 0);
		pe_atomic_inc(counter);
	}
	pthread_mutex_unlock(&pe->lock);
	return ret;
}

int dmawin_pe_eeh_thaw(struct dmawin_pe *pe, enum dmawin_pe_eeh_thaw what)
{
	uint32_t bit;

	if (!pe)
		return -EINVAL;
	if (what == DMAWIN_PE_EEH_THAW_MMIO)
		bit = PE_EEH_MMIO_FROZEN;
	else if (what == DMAWIN_PE_EEH_THAW_DMA)
		bit = PE_EEH_DMA_FROZEN;
	else
		return -EINVAL;
	return clear_counted(pe, bit, &pe->eehc.thaws);
}

int dmawin_pe_eeh_reset(struct dmawin_pe *pe, enum dmawin_pe_eeh_reset how)
{
	const uint32_t frozen = PE_EEH_MMIO_FROZEN | PE_EEH_DMA_FROZEN;
	int ret;

	if (!pe)
		return -EINVAL;
	if (how != DMAWIN_PE_EEH_RESET_DEACTIVATE && how != DMAWIN_PE_EEH_RESET_HOT &&
	    how != DMAWIN_PE_EEH_RESET_FUNDAMENTAL)
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	ret = gate_locked(pe, false);
	if (!ret && how != DMAWIN_PE_EEH_RESET_DEACTIVATE) {
		if (!(eeh_modify(pe, PE_EEH_ARMED, PE_EEH_RESET) & PE_EEH_RESET))
			pe_atomic_inc(&pe->eehc.resets);
		pe_epoch_bump(pe);
		pe_dma_barrier_locked(pe);
	} else if (!ret && (eeh_load(pe) & PE_EEH_RESET)) {
		eeh_modify(pe, PE_EEH_RESET | frozen, PE_EEH_UNCONFIGURED);
	}
	pthread_mutex_unlock(&pe->lock);
	return ret;
}

int dmawin_pe_eeh_configure(struct dmawin_pe *pe)
{
	if (!pe)
		return -EINVAL;
	return clear_counted(pe, PE_EEH_UNCONFIGURED, &pe->eehc.configures);
}

static bool inject_args_ok(uint32_t type, uint32_t func, uint64_t addr, uint64_t mask)
{
	if (type != DMAWIN_PE_EEH_ERR_TYPE_32 && type != DMAWIN_PE_EEH_ERR_TYPE_64)
		return false;
	if (func > DMAWIN_PE_EEH_ERR_FUNC_MAX)
		return false;
	return type == DMAWIN_PE_EEH_ERR_TYPE_64 || ((addr | mask) >> 32) == 0;
}

int dmawin_pe_eeh_inject(struct dmawin_pe *pe, uint32_t type, uint32_t func, uint64_t addr,
			 uint64_t mask)
{
	int ret;

	if (!pe || !inject_args_ok(type, func, addr, mask))
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	ret = gate_locked(pe, true);
	if (!ret) {
		pe_atomic_inc(&pe->eehc.injections);
		if (func <= DMAWIN_PE_EEH_ERR_FUNC_ST_CFG_DATA) {
			if (pe_eeh_freeze_now(pe))
				pe_atomic_inc(&pe->eehc.injection_freezes);
			pe_dma_barrier_locked(pe);
		} else {
			__atomic_store_n(&pe->inj_func, func, __ATOMIC_RELAXED);
			__atomic_store_n(&pe->inj_addr, addr, __ATOMIC_RELAXED);
			__atomic_store_n(&pe->inj_mask, mask, __ATOMIC_RELAXED);
			eeh_modify(pe, 0, PE_EEH_ARMED); /* release: the trigger is visible first */
			pe_epoch_bump(pe);
		}
	}
	pthread_mutex_unlock(&pe->lock);
	return ret;
}

int dmawin_pe_eeh_stats(struct dmawin_pe *pe, struct dmawin_pe_eeh_stats *out)
{
	const struct pe_eeh_counters *c;

	if (!pe || !out)
		return -EINVAL;
	c = &pe->eehc;
	*out = (struct dmawin_pe_eeh_stats){
		.freezes = __atomic_load_n(&c->freezes, __ATOMIC_RELAXED),
		.fault_freezes = __atomic_load_n(&c->fault_freezes, __ATOMIC_RELAXED),
		.injections = __atomic_load_n(&c->injections, __ATOMIC_RELAXED),
		.injection_freezes = __atomic_load_n(&c->injection_freezes, __ATOMIC_RELAXED),
		.thaws = __atomic_load_n(&c->thaws, __ATOMIC_RELAXED),
		.resets = __atomic_load_n(&c->resets, __ATOMIC_RELAXED),
		.configures = __atomic_load_n(&c->configures, __ATOMIC_RELAXED),
		.dma_blocked = __atomic_load_n(&c->dma_blocked, __ATOMIC_RELAXED),
	};
	return 0;
}
