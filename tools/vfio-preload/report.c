/* SPDX-License-Identifier: MIT */
/*
 * The report at exit (--report FILE.json; a summary on stderr with -v): per container the
 * windows, the live mappings and the preregistered regions, the locked memory, and the leaks:
 * what the program never undid, either still there at exit or torn down only by close (or by
 * its last group leaving). Only the process that built the machine reports; its fork children
 * do not overwrite it.
 */
#include <jansson.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <unistd.h>

#include "dmawin/tce.h"
#include "vp_int.h"
#include "vp_platform.h"

struct totals {
	uint64_t leaked_pages, leaked_regions, released_pages, released_regions;
	unsigned containers;
};

static json_t *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static int add_mapping(const struct dmawin_vfio_mapping *m, void *arg)
{
	json_t *o = json_object();

	json_object_set_new(o, "iova", hex(m->iova));
	json_object_set_new(o, "size", json_integer((json_int_t)m->size));
	json_object_set_new(o, "vaddr", hex(m->ua));
	json_object_set_new(o, "page_shift", json_integer(m->page_shift));
	json_object_set_new(o, "read", json_boolean(m->perm & DMAWIN_TCE_READ));
	json_object_set_new(o, "write", json_boolean(m->perm & DMAWIN_TCE_WRITE));
	json_array_append_new(arg, o);
	return 0;
}

static int add_region(const struct dmawin_vfio_region_info *r, void *arg)
{
	json_t *o = json_object();

	json_object_set_new(o, "vaddr", hex(r->ua));
	json_object_set_new(o, "size", json_integer((json_int_t)r->size));
	json_object_set_new(o, "mapped_pages", json_integer((json_int_t)(r->mapped ? r->mapped - 1 : 0)));
	json_array_append_new(arg, o);
	return 0;
}

static json_t *windows_of(const struct vp_container *c)
{
	json_t *a = json_array();

	for (unsigned slot = 0; slot < 2; slot++) {
		struct dmawin_vfio_window_info w;
		json_t *o;

		if (dmawin_vfio_window(c->c, slot, &w) != 0 || !w.present)
			continue;
		o = json_object();
		json_object_set_new(o, "slot", json_integer(slot));
		json_object_set_new(o, "start", hex(w.start));
		json_object_set_new(o, "size", json_integer((json_int_t)w.size));
		json_object_set_new(o, "page_shift", json_integer(w.page_shift));
		json_object_set_new(o, "levels", json_integer(w.levels));
		json_object_set_new(o, "locked", json_integer((json_int_t)w.locked));
		json_array_append_new(a, o);
	}
	return a;
}

struct walk {
	json_t *containers;
	struct totals *t;
};

static void add_container(struct vp_object *obj, void *arg)
{
	struct walk *w = arg;
	struct vp_container *c = (struct vp_container *)obj;
	struct dmawin_vfio_report r;
	json_t *o = json_object(), *maps = json_array(), *regions = json_array();

	dmawin_vfio_report(c->c, &r);
	dmawin_vfio_for_each_mapping(c->c, add_mapping, maps);
	dmawin_vfio_for_each_region(c->c, add_region, regions);
	json_object_set_new(o, "iommu",
			    r.type == VFIO_SPAPR_TCE_v2_IOMMU ? json_string("spapr-tce-v2")
			    : r.type == VFIO_SPAPR_TCE_IOMMU  ? json_string("spapr-tce")
							      : json_null());
	json_object_set_new(o, "groups", json_integer(r.groups));
	json_object_set_new(o, "default_window_pending", json_boolean(r.default_window_pending));
	json_object_set_new(o, "windows", windows_of(c));
	json_object_set_new(o, "mapped_pages", json_integer((json_int_t)r.mapped_pages));
	json_object_set_new(o, "mappings", maps);
	json_object_set_new(o, "regions", regions);
	json_object_set_new(o, "released_pages", json_integer((json_int_t)c->released_mappings));
	json_object_set_new(o, "released_regions", json_integer((json_int_t)c->released_regions));
	json_array_append_new(w->containers, o);
	w->t->containers++;
	w->t->leaked_pages += r.mapped_pages;
	w->t->leaked_regions += r.regions;
	w->t->released_pages += c->released_mappings;
	w->t->released_regions += c->released_regions;
}

/* Closed containers leave their counts behind in the host (vp_report_closed()). */
static uint64_t closed_pages, closed_regions;
static pthread_mutex_t closed_lock = PTHREAD_MUTEX_INITIALIZER;

void vp_report_closed(uint64_t pages, uint64_t regions)
{
	pthread_mutex_lock(&closed_lock);
	closed_pages += pages;
	closed_regions += regions;
	pthread_mutex_unlock(&closed_lock);
}

static void summary(const struct vp_host *h, const struct totals *t)
{
	fprintf(stderr,
		"dmawin vfio-run: %u container(s) open at exit, %llu page(s) mapped and %llu "
		"region(s) registered never undone, %llu page(s) and %llu region(s) left to "
		"close; locked %llu bytes\n",
		t->containers, (unsigned long long)t->leaked_pages,
		(unsigned long long)t->leaked_regions, (unsigned long long)t->released_pages,
		(unsigned long long)t->released_regions,
		(unsigned long long)dmawin_mem_locked_bytes(h->mem));
}

void vp_report_at_exit(void)
{
	struct vp_host *h = vp_host_peek();
	struct totals t = {0};
	struct walk w = {json_array(), &t};
	json_t *o, *leaks;

	if (!h || getpid() != h->pid || (!h->m.report[0] && !h->m.verbose))
		return;
	vp_objects_for_each(VP_CONTAINER, add_container, &w);
	pthread_mutex_lock(&closed_lock);
	t.released_pages += closed_pages;
	t.released_regions += closed_regions;
	pthread_mutex_unlock(&closed_lock);
	if (h->m.verbose)
		summary(h, &t);
	if (!h->m.report[0]) {
		json_decref(w.containers);
		return;
	}
	o = json_object();
	leaks = json_object();
	json_object_set_new(o, "platform",
			    json_string(h->m.platform == VR_PSERIES ? "pseries" : "powernv"));
	json_object_set_new(o, "page_size", json_integer((json_int_t)(h->m.page_size ? h->m.page_size : 65536)));
	json_object_set_new(o, "locked_bytes", json_integer((json_int_t)dmawin_mem_locked_bytes(h->mem)));
	json_object_set_new(o, "lock_limit", json_integer((json_int_t)dmawin_mem_lock_limit(h->mem)));
	json_object_set_new(o, "containers", w.containers);
	json_object_set_new(leaks, "mapped_pages_at_exit", json_integer((json_int_t)t.leaked_pages));
	json_object_set_new(leaks, "regions_at_exit", json_integer((json_int_t)t.leaked_regions));
	json_object_set_new(leaks, "mapped_pages_left_to_close", json_integer((json_int_t)t.released_pages));
	json_object_set_new(leaks, "regions_left_to_close", json_integer((json_int_t)t.released_regions));
	json_object_set_new(o, "leaks", leaks);
	vp_platform_report(h->platform, o);
	json_dump_file(o, h->m.report, JSON_INDENT(2));
	json_decref(o);
}
