/* SPDX-License-Identifier: MIT */
/*
 * A QEMU command line → struct dmawin_qemu_machine: words, the option table, -m, -M, -global,
 * and the order QEMU builds the machine in (machine options, machine init with its default
 * devices, then -object and -device in command-line order). See dmawin/papr_qemu.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papr/qemu_int.h"

/* The words of a command line, split as a shell would; one allocation holds them all. */
struct words {
	char **word;
	size_t count;
	char *storage;
};

int qemu_fail(struct qemu_parse *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->why && p->why_len) {
		va_start(ap, fmt);
		vsnprintf(p->why, p->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

void qemu_warn(struct qemu_parse *p, const char *fmt, ...)
{
	struct dmawin_qemu_warnings *w = &p->m.warnings;
	va_list ap;

	if (w->count >= DMAWIN_QEMU_MAX_WARNINGS) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->text[w->count++], DMAWIN_QEMU_WARNING_MAX, fmt, ap);
	va_end(ap);
}

static void words_free(struct words *w)
{
	free(w->word);
	free(w->storage);
}

/* Splits on blanks, honouring '...', "..." and backslash; -EINVAL on an unterminated quote. */
static int words_split(const char *line, struct words *w)
{
	size_t n = strlen(line);
	char *out = malloc(n + 1);
	char **word = calloc(n / 2 + 2, sizeof(*word));
	size_t count = 0;
	char quote = 0, *o = out;
	bool in_word = false;

	if (!out || !word) {
		free(out);
		free(word);
		return -ENOMEM;
	}
	for (const char *c = line; *c; c++) {
		if (!quote && isspace((unsigned char)*c)) {
			if (in_word)
				*o++ = '\0';
			in_word = false;
			continue;
		}
		if (!in_word) {
			word[count++] = o;
			in_word = true;
		}
		if (quote && *c == quote)
			quote = 0;
		else if (!quote && (*c == '\'' || *c == '"'))
			quote = *c;
		else if (*c == '\\' && quote != '\'' && c[1])
			*o++ = *++c;
		else
			*o++ = *c;
	}
	*o = '\0';
	if (quote) {
		free(out);
		free(word);
		return -EINVAL;
	}
	*w = (struct words){.word = word, .count = count, .storage = out};
	return 0;
}

int dmawin_papr_qemu_parse_size(const char *text, unsigned default_shift, uint64_t *value)
{
	static const char units[] = "KMGTPE";
	unsigned long long v;
	unsigned shift = default_shift;
	const char *unit;
	char *end;

	if (!text || !*text || *text == '-' || isspace((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (end == text)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	if (*end) {
		unit = strchr(units, toupper((unsigned char)*end));
		if (!unit || end[1] != '\0' || *end == '\0')
			return -EINVAL;
		shift = 10u * (unsigned)(unit - units + 1);
	} else if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		shift = 0; /* hex numbers are bytes */
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*value = (uint64_t)v << shift;
	return 0;
}

int qemu_parse_bool(const char *text, bool *value)
{
	static const char *const yes[] = {"on", "true", "yes", "y"};
	static const char *const no[] = {"off", "false", "no", "n"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(text, yes[i]) == 0)
			return *value = true, 0;
		if (strcmp(text, no[i]) == 0)
			return *value = false, 0;
	}
	return -EINVAL;
}

char *qemu_split_kv(char *item)
{
	char *eq = strchr(item, '=');

	if (!eq)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

char *qemu_next_item(char **cursor)
{
	char *item = *cursor, *r, *w;

	if (!item)
		return NULL;
	/* QEMU's option syntax: ",," is a literal comma inside a value */
	for (r = w = item; *r; r++) {
		if (*r == ',' && r[1] == ',') {
			*w++ = *r++;
			continue;
		}
		if (*r == ',')
			break;
		*w++ = *r;
	}
	*cursor = *r ? r + 1 : NULL;
	*w = '\0';
	return item;
}

/* ---- the option table ------------------------------------------------------------------------ */

enum qemu_opt_id {
	OPT_SKIP, /* accepted, does not shape the IOMMU */
	OPT_M,
	OPT_MACHINE,
	OPT_GLOBAL,
	OPT_DEVICE,
	OPT_OBJECT,
	OPT_NIC,
	OPT_NET,
	OPT_NODEFAULTS,
	OPT_VGA,
	OPT_USB,
};

struct qemu_opt {
	const char *name;
	bool has_arg;
	enum qemu_opt_id id;
};

/* QEMU 7.2's qemu-options.hx: every option of qemu-system-ppc64, with whether it takes an
 * argument (HAS_ARG). Options of other targets that a pasted line may carry are listed too. */
static const struct qemu_opt qemu_opts[] = {
	{"m", true, OPT_M},
	{"M", true, OPT_MACHINE},
	{"machine", true, OPT_MACHINE},
	{"global", true, OPT_GLOBAL},
	{"device", true, OPT_DEVICE},
	{"object", true, OPT_OBJECT},
	{"nic", true, OPT_NIC},
	{"net", true, OPT_NET},
	{"nodefaults", false, OPT_NODEFAULTS},
	{"vga", true, OPT_VGA},
	{"usb", false, OPT_USB},
	/* with an argument */
	{"accel", true, OPT_SKIP},
	{"smp", true, OPT_SKIP},
	{"cpu", true, OPT_SKIP},
	{"numa", true, OPT_SKIP},
	{"mem-path", true, OPT_SKIP},
	{"k", true, OPT_SKIP},
	{"audiodev", true, OPT_SKIP},
	{"audio", true, OPT_SKIP},
	{"soundhw", true, OPT_SKIP},
	{"name", true, OPT_SKIP},
	{"uuid", true, OPT_SKIP},
	{"fda", true, OPT_SKIP},
	{"fdb", true, OPT_SKIP},
	{"hda", true, OPT_SKIP},
	{"hdb", true, OPT_SKIP},
	{"hdc", true, OPT_SKIP},
	{"hdd", true, OPT_SKIP},
	{"cdrom", true, OPT_SKIP},
	{"drive", true, OPT_SKIP},
	{"blockdev", true, OPT_SKIP},
	{"mtdblock", true, OPT_SKIP},
	{"sd", true, OPT_SKIP},
	{"pflash", true, OPT_SKIP},
	{"fsdev", true, OPT_SKIP},
	{"virtfs", true, OPT_SKIP},
	{"iscsi", true, OPT_SKIP},
	{"usbdevice", true, OPT_SKIP},
	{"display", true, OPT_SKIP},
	{"g", true, OPT_SKIP},
	{"vnc", true, OPT_SKIP},
	{"spice", true, OPT_SKIP},
	{"monitor", true, OPT_SKIP},
	{"qmp", true, OPT_SKIP},
	{"qmp-pretty", true, OPT_SKIP},
	{"mon", true, OPT_SKIP},
	{"serial", true, OPT_SKIP},
	{"parallel", true, OPT_SKIP},
	{"debugcon", true, OPT_SKIP},
	{"pidfile", true, OPT_SKIP},
	{"D", true, OPT_SKIP},
	{"d", true, OPT_SKIP},
	{"dfilter", true, OPT_SKIP},
	{"L", true, OPT_SKIP},
	{"bios", true, OPT_SKIP},
	{"kernel", true, OPT_SKIP},
	{"initrd", true, OPT_SKIP},
	{"append", true, OPT_SKIP},
	{"dtb", true, OPT_SKIP},
	{"fw_cfg", true, OPT_SKIP},
	{"chardev", true, OPT_SKIP},
	{"netdev", true, OPT_SKIP},
	{"incoming", true, OPT_SKIP},
	{"trace", true, OPT_SKIP},
	{"plugin", true, OPT_SKIP},
	{"rtc", true, OPT_SKIP},
	{"icount", true, OPT_SKIP},
	{"watchdog", true, OPT_SKIP},
	{"watchdog-action", true, OPT_SKIP},
	{"echr", true, OPT_SKIP},
	{"gdb", true, OPT_SKIP},
	{"loadvm", true, OPT_SKIP},
	{"option-rom", true, OPT_SKIP},
	{"msg", true, OPT_SKIP},
	{"sandbox", true, OPT_SKIP},
	{"readconfig", true, OPT_SKIP},
	{"add-fd", true, OPT_SKIP},
	{"tpmdev", true, OPT_SKIP},
	{"acpitable", true, OPT_SKIP},
	{"smbios", true, OPT_SKIP},
	{"action", true, OPT_SKIP},
	{"overcommit", true, OPT_SKIP},
	{"set", true, OPT_SKIP},
	{"compat", true, OPT_SKIP},
	{"xen-domid", true, OPT_SKIP},
	{"chroot", true, OPT_SKIP},
	{"runas", true, OPT_SKIP},
	{"prom-env", true, OPT_SKIP},
	{"boot", true, OPT_SKIP},
	{"semihosting-config", true, OPT_SKIP},
	{"run-with", true, OPT_SKIP},
	{"tb-size", true, OPT_SKIP},
	{"singlestep", false, OPT_SKIP},
	/* without */
	{"nographic", false, OPT_SKIP},
	{"no-reboot", false, OPT_SKIP},
	{"no-shutdown", false, OPT_SKIP},
	{"enable-kvm", false, OPT_SKIP},
	{"S", false, OPT_SKIP},
	{"s", false, OPT_SKIP},
	{"snapshot", false, OPT_SKIP},
	{"daemonize", false, OPT_SKIP},
	{"no-user-config", false, OPT_SKIP},
	{"full-screen", false, OPT_SKIP},
	{"no-hpet", false, OPT_SKIP},
	{"no-acpi", false, OPT_SKIP},
	{"no-fd-bootchk", false, OPT_SKIP},
	{"win2k-hack", false, OPT_SKIP},
	{"only-migratable", false, OPT_SKIP},
	{"enable-fips", false, OPT_SKIP},
	{"preconfig", false, OPT_SKIP},
	{"mem-prealloc", false, OPT_SKIP},
	{"alt-grab", false, OPT_SKIP},
	{"ctrl-grab", false, OPT_SKIP},
	{"no-quit", false, OPT_SKIP},
	{"no-frame", false, OPT_SKIP},
	{"sdl", false, OPT_SKIP},
	{"curses", false, OPT_SKIP},
	{"portrait", false, OPT_SKIP},
	{"rotate", true, OPT_SKIP},
	{"semihosting", false, OPT_SKIP},
	{"xen-attach", false, OPT_SKIP},
	{"async-teardown", false, OPT_SKIP},
	{"nodefconfig", false, OPT_SKIP},
};

static const struct qemu_opt *find_option(const char *word)
{
	const char *name = word + 1;

	if (*name == '-') /* QEMU accepts both -opt and --opt */
		name++;
	for (size_t i = 0; i < sizeof(qemu_opts) / sizeof(qemu_opts[0]); i++)
		if (strcmp(name, qemu_opts[i].name) == 0)
			return &qemu_opts[i];
	return NULL;
}

/* ---- -m, -M, -global ------------------------------------------------------------------------- */

static int option_m(struct qemu_parse *p, char *arg)
{
	uint64_t v;
	char *item, *value, *end;

	while ((item = qemu_next_item(&arg))) {
		value = qemu_split_kv(item);
		if (!value || strcmp(item, "size") == 0) {
			if (dmawin_papr_qemu_parse_size(value ? value : item, 20, &v) || !v)
				return qemu_fail(p, -EINVAL, "-m: '%s' is not a memory size",
						 value ? value : item);
			p->m.papr.ram_size = v;
		} else if (strcmp(item, "maxmem") == 0) {
			if (dmawin_papr_qemu_parse_size(value, 20, &v))
				return qemu_fail(p, -EINVAL, "-m maxmem: '%s' is not a memory size",
						 value);
			p->m.papr.maxmem = v;
			p->maxmem_given = true;
		} else if (strcmp(item, "slots") == 0) {
			unsigned long n = strtoul(value, &end, 0);

			if (!*value || *end || *value == '-' || n > DMAWIN_PAPR_MAX_DIMMS)
				return qemu_fail(p, -EINVAL,
						 "-m slots: '%s' is not a slot count (0..%d on "
						 "pseries)",
						 value, DMAWIN_PAPR_MAX_DIMMS);
			p->m.papr.ram_slots = (uint32_t)n;
			p->slots_given = true;
		} else {
			return qemu_fail(p, -EINVAL, "-m: unknown parameter '%s'", item);
		}
	}
	return 0;
}

/* "pseries" or "pseries-X.Y" → compat (major * 100 + minor). */
static int machine_type(struct qemu_parse *p, const char *type)
{
	unsigned major, minor;
	char tail;

	if (strcmp(type, "pseries") == 0)
		return 0;
	if (sscanf(type, "pseries-%u.%u%c", &major, &minor, &tail) != 2 || minor > 99)
		return qemu_fail(p, -EINVAL, "-M: machine '%s' is not a pseries machine", type);
	if (dmawin_papr_config_set_compat(&p->m.papr, major * 100 + minor))
		return qemu_fail(p, -EINVAL, "-M: machine '%s' is not a version dmawin models",
				 type);
	return 0;
}

static int option_machine(struct qemu_parse *p, char *arg)
{
	char *item, *value;
	bool on;
	int ret;

	while ((item = qemu_next_item(&arg))) {
		value = qemu_split_kv(item);
		if (!value || strcmp(item, "type") == 0) {
			ret = machine_type(p, value ? value : item);
			if (ret)
				return ret;
		} else if (strcmp(item, "usb") == 0 || strcmp(item, "nvdimm") == 0) {
			if (qemu_parse_bool(value, &on))
				return qemu_fail(p, -EINVAL, "-M %s: '%s' is not on/off", item,
						 value);
			if (item[0] == 'u')
				p->usb_set = true, p->usb = on;
			else
				p->nvdimm_enabled = on;
		} else {
			p->m.ignored_options++; /* cap-*, ic-mode, accel, ... */
		}
	}
	return 0;
}

/* -global spapr-pci-host-bridge.PROP=VALUE, or driver=...,property=...,value=... */
static int option_global(struct qemu_parse *p, char *arg)
{
	char *driver = NULL, *prop = NULL, *value = NULL, *item, *v;

	if (strncmp(arg, "driver=", 7) == 0) {
		while ((item = qemu_next_item(&arg))) {
			v = qemu_split_kv(item);
			if (v && strcmp(item, "driver") == 0)
				driver = v;
			else if (v && strcmp(item, "property") == 0)
				prop = v;
			else if (v && strcmp(item, "value") == 0)
				value = v;
		}
	} else {
		char *dot = strchr(arg, '.');

		value = qemu_split_kv(arg);
		if (dot && value) {
			*dot = '\0';
			driver = arg;
			prop = dot + 1;
		}
	}
	if (!driver || !prop || !value)
		return qemu_fail(p, -EINVAL, "-global: expected DRIVER.PROP=VALUE");
	if (strcmp(driver, QEMU_PHB_DRIVER) != 0) {
		p->m.ignored_options++;
		return 0;
	}
	if (strcmp(prop, "index") == 0)
		return qemu_fail(p, -EINVAL, "-global: " QEMU_PHB_DRIVER ".index cannot be global");
	return qemu_set_phb_prop(p, &p->globals, prop, value);
}

static int option_vga(struct qemu_parse *p, const char *arg)
{
	if (strcmp(arg, "none") == 0) {
		p->vga_none = true;
		return 0;
	}
	/* spapr_vga_init(): only these two are supported on pseries */
	if (strcmp(arg, "std") == 0)
		snprintf(p->vga_model, sizeof(p->vga_model), "VGA");
	else if (strcmp(arg, "virtio") == 0)
		snprintf(p->vga_model, sizeof(p->vga_model), "virtio-vga");
	else
		return qemu_fail(p, -EINVAL,
				 "-vga: '%s' is not supported by pseries (std, virtio or none)",
				 arg);
	p->vga_none = false;
	return 0;
}

/* ---- the passes ------------------------------------------------------------------------------ */

/* Calls @fn for every option of the line with its argument (NULL for none). */
static int for_each_option(struct qemu_parse *p, struct words *w, size_t first,
			   int (*fn)(struct qemu_parse *, const struct qemu_opt *, const char *,
				     char *))
{
	for (size_t i = first; i < w->count; i++) {
		const char *word = w->word[i];
		const struct qemu_opt *o;
		char *arg = NULL;
		int ret;

		if (word[0] != '-' || word[1] == '\0')
			return qemu_fail(p, -EINVAL,
					 "'%s': not an option (QEMU takes no operands "
					 "here)",
					 word);
		o = find_option(word);
		if (!o || o->has_arg) {
			if (i + 1 < w->count && (o || w->word[i + 1][0] != '-'))
				arg = w->word[++i];
			else if (o)
				return qemu_fail(p, -EINVAL, "%s: missing its argument", word);
		}
		ret = fn(p, o, word, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* First pass: what exists before machine init: -m, -M, -global, defaults, backends. */
static int machine_option(struct qemu_parse *p, const struct qemu_opt *o, const char *word,
			  char *arg)
{
	char *copy;
	int ret;

	if (!o) {
		qemu_warn(p, "%s: not a QEMU 7.2 option dmawin knows; skipped%s%s%s", word,
			  arg ? " with '" : "", arg ? arg : "", arg ? "'" : "");
		return 0;
	}
	switch (o->id) {
	case OPT_M:
		return option_m(p, arg);
	case OPT_MACHINE:
		return option_machine(p, arg);
	case OPT_GLOBAL:
		return option_global(p, arg);
	case OPT_NODEFAULTS:
		p->nodefaults = true;
		return 0;
	case OPT_VGA:
		return option_vga(p, arg);
	case OPT_USB:
		p->usb_set = p->usb = true;
		return 0;
	case OPT_OBJECT:
		copy = strdup(arg);
		if (!copy)
			return -ENOMEM;
		{
			char *cursor = copy, *type = qemu_next_item(&cursor);

			ret = qemu_add_backend(p, type ? type : "", cursor);
		}
		free(copy);
		return ret;
	case OPT_DEVICE:
		/* QEMU's default_list: a display device given by -device replaces the default */
		if (!strncmp(arg, "VGA", 3) || !strncmp(arg, "virtio-vga", 10) ||
		    !strncmp(arg, "secondary-vga", 13) || !strncmp(arg, "bochs-display", 13) ||
		    !strncmp(arg, "ati-vga", 7) || !strncmp(arg, "cirrus-vga", 10))
			p->vga_device_given = true;
		return 0;
	default:
		p->m.ignored_options += o->id == OPT_SKIP;
		return 0;
	}
}

/* Machine init: -nic / -net nic first (their PCI NICs go on the default PHB), then the
 * default VGA and USB controller (spapr_machine_init()). */
static int nic_option(struct qemu_parse *p, const struct qemu_opt *o, const char *word, char *arg)
{
	(void)word;
	if (!o || (o->id != OPT_NIC && o->id != OPT_NET))
		return 0;
	return qemu_add_nic(p, o->id == OPT_NIC ? "-nic" : "-net", arg);
}

/* Last pass: -device in command-line order (PHBs before the devices on them). */
static int device_option(struct qemu_parse *p, const struct qemu_opt *o, const char *word,
			 char *arg)
{
	char *cursor = arg, *driver;

	(void)word;
	if (!o || o->id != OPT_DEVICE)
		return 0;
	driver = qemu_next_item(&cursor);
	if (!driver || !*driver)
		return qemu_fail(p, -EINVAL, "-device: no driver given");
	if (strcmp(driver, QEMU_PHB_DRIVER) == 0)
		return qemu_add_phb(p, cursor);
	if (qemu_is_memory_device(driver))
		return qemu_add_dimm(p, driver, cursor);
	return qemu_add_device(p, driver, cursor);
}

static int parse_words(struct qemu_parse *p, struct words *w)
{
	size_t first = 0;
	int ret;

	while (first < w->count && w->word[first][0] != '-')
		first++; /* the program and any wrapper before it */
	dmawin_papr_phb_config_init(&p->globals, 0);
	ret = for_each_option(p, w, first, machine_option);
	if (ret)
		return ret;
	/* -M pseries-X.Y may have changed PHB 0's pgsz default: globals start from it */
	if (p->m.papr.compat < DMAWIN_PAPR_COMPAT_DEFAULT &&
	    p->globals.pgsz == DMAWIN_PAPR_DEFAULT_PGSZ)
		p->globals.pgsz = p->m.papr.phbs[0].pgsz;
	ret = qemu_pci_init(p);
	if (!ret)
		ret = for_each_option(p, w, first, nic_option);
	if (!ret)
		ret = qemu_add_default_devices(p);
	/* the words were cut by the first pass's item splitting only in copies */
	if (!ret)
		ret = for_each_option(p, w, first, device_option);
	if (!ret)
		qemu_name_devices(p);
	return ret;
}

static int check_memory(struct qemu_parse *p)
{
	const struct dmawin_papr_config *c = &p->m.papr;

	if (c->maxmem && c->maxmem < c->ram_size)
		return qemu_fail(
			p, -EINVAL,
			"-m: maxmem is below the RAM size (QEMU: invalid value of maxmem)");
	if (p->slots_given && !p->maxmem_given)
		return qemu_fail(p, -EINVAL, "-m: slots= without maxmem= (QEMU: missing 'maxmem')");
	if (c->ram_slots && c->maxmem <= c->ram_size)
		return qemu_fail(p, -EINVAL,
				 "-m: slots=%u but maxmem is not above the RAM size (QEMU: memory "
				 "slots were specified but maximum memory size is equal to the "
				 "initial memory size)",
				 c->ram_slots);
	return 0;
}

int dmawin_papr_qemu_parse(const char *cmdline, struct dmawin_qemu_machine *out, char *why,
			   size_t len)
{
	struct qemu_parse *p;
	struct words w;
	int ret;

	if (!cmdline || !out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->why = why;
	p->why_len = len;
	p->nvdimm_enabled = true; /* pseries-5.1+ enable NVDIMM support by default */
	dmawin_papr_config_init(&p->m.papr);
	ret = words_split(cmdline, &w);
	if (ret) {
		if (ret == -EINVAL)
			qemu_fail(p, ret, "unterminated quote in the command line");
		free(p);
		return ret;
	}
	ret = parse_words(p, &w);
	if (!ret)
		ret = check_memory(p);
	if (!ret)
		ret = dmawin_papr_config_check(&p->m.papr, why, len);
	if (!ret)
		*out = p->m;
	words_free(&w);
	free(p);
	return ret;
}
