/* SPDX-License-Identifier: MIT */
/*
 * A QEMU command line → struct dmawin_qemu_machine. Only the options that shape the sPAPR IOMMU
 * are interpreted; see dmawin/papr_qemu.h for the accepted syntax.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr_qemu.h"

#define PHB_DRIVER "spapr-pci-host-bridge"

/* The words of a command line, split as a shell would; one allocation holds them all. */
struct words {
	char **word;
	size_t count;
	char *storage;
};

/* Parser state: the machine being built plus what is needed to resolve bus names. */
struct parse {
	struct dmawin_qemu_machine m;
	char *why;
	size_t why_len;
	char phb_id[DMAWIN_PAPR_MAX_PHBS][DMAWIN_QEMU_NAME_MAX];
	/* "pci.N" is the N-th PHB created without an id (QEMU's automatic bus names). */
	uint32_t anonymous_phb[DMAWIN_PAPR_MAX_PHBS];
	uint32_t nr_anonymous;
};

static int fail(struct parse *p, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct parse *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->why && p->why_len) {
		va_start(ap, fmt);
		vsnprintf(p->why, p->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
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

static int parse_bool(const char *text, bool *value)
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

static int parse_u64(struct parse *p, const char *what, const char *text, uint64_t *value)
{
	int ret = dmawin_papr_qemu_parse_size(text, 0, value);

	if (ret)
		return fail(p, -EINVAL, "%s: '%s' is not a number", what, text);
	return 0;
}

/* Applies one spapr-pci-host-bridge property. */
static int set_phb_prop(struct parse *p, struct dmawin_papr_phb_config *phb, const char *key,
			const char *value)
{
	uint64_t v;
	int ret;

	if (strcmp(key, "ddw") == 0) {
		if (parse_bool(value, &phb->ddw))
			return fail(p, -EINVAL, PHB_DRIVER ".ddw: '%s' is not on/off", value);
		return 0;
	}
	if (strcmp(key, "numa_node") == 0) {
		char *end;
		long n = strtol(value, &end, 0);

		if (*value == '\0' || *end || n < -1 || n > INT32_MAX)
			return fail(p, -EINVAL, PHB_DRIVER ".numa_node: '%s' is not a node", value);
		phb->numa_node = (int32_t)n;
		return 0;
	}
	if (strcmp(key, "index") == 0) {
		ret = parse_u64(p, PHB_DRIVER ".index", value, &v);
		if (ret)
			return ret;
		if (v >= DMAWIN_PAPR_MAX_PHBS)
			return fail(p, -EINVAL, PHB_DRIVER ".index: %s is above %d", value,
				    DMAWIN_PAPR_MAX_PHBS - 1);
		phb->index = (uint32_t)v;
		return 0;
	}
	{
		static const struct {
			const char *name;
			size_t offset;
		} u64_props[] = {
			{"dma_win_addr", offsetof(struct dmawin_papr_phb_config, dma_win_addr)},
			{"dma_win_size", offsetof(struct dmawin_papr_phb_config, dma_win_size)},
			{"dma64_win_addr", offsetof(struct dmawin_papr_phb_config, dma64_win_addr)},
			{"pgsz", offsetof(struct dmawin_papr_phb_config, pgsz)},
		};

		for (size_t i = 0; i < sizeof(u64_props) / sizeof(u64_props[0]); i++) {
			if (strcmp(key, u64_props[i].name) != 0)
				continue;
			ret = parse_u64(p, key, value, &v);
			if (ret)
				return ret;
			memcpy((char *)phb + u64_props[i].offset, &v, sizeof(v));
			return 0;
		}
	}
	p->m.ignored_options++; /* mem_win_*, io_win_*, ... do not shape the IOMMU */
	return 0;
}

/* Splits "a=b" in place; returns the value or NULL when there is no '='. */
static char *split_kv(char *item)
{
	char *eq = strchr(item, '=');

	if (!eq)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

/* Iterates a comma-separated option string in place (QEMU's ",," escape is not needed here). */
static char *next_item(char **cursor)
{
	char *item = *cursor, *comma;

	if (!item)
		return NULL;
	comma = strchr(item, ',');
	if (comma) {
		*comma = '\0';
		*cursor = comma + 1;
	} else {
		*cursor = NULL;
	}
	return item;
}

static int option_m(struct parse *p, char *arg)
{
	uint64_t v;
	char *item, *value;

	while ((item = next_item(&arg))) {
		value = split_kv(item);
		if (!value || strcmp(item, "size") == 0) {
			if (dmawin_papr_qemu_parse_size(value ? value : item, 20, &v) || !v)
				return fail(p, -EINVAL, "-m: '%s' is not a memory size",
					    value ? value : item);
			p->m.papr.ram_size = v;
		} else if (strcmp(item, "maxmem") == 0) {
			if (dmawin_papr_qemu_parse_size(value, 20, &v))
				return fail(p, -EINVAL, "-m maxmem: '%s' is not a memory size",
					    value);
			p->m.papr.maxmem = v;
		} else if (strcmp(item, "slots") != 0) {
			return fail(p, -EINVAL, "-m: unknown parameter '%s'", item);
		}
	}
	return 0;
}

/* "pseries" or "pseries-X.Y" → compat (major * 100 + minor). */
static int machine_type(struct parse *p, const char *type)
{
	unsigned major, minor;
	char tail;

	if (strcmp(type, "pseries") == 0)
		return 0;
	if (sscanf(type, "pseries-%u.%u%c", &major, &minor, &tail) != 2 || minor > 99)
		return fail(p, -EINVAL, "-M: machine '%s' is not a pseries machine", type);
	if (dmawin_papr_config_set_compat(&p->m.papr, major * 100 + minor))
		return fail(p, -EINVAL, "-M: machine '%s' is not a version dmawin models", type);
	return 0;
}

static int option_machine(struct parse *p, char *arg)
{
	char *item, *value;
	bool have_type = false;
	int ret;

	while ((item = next_item(&arg))) {
		value = split_kv(item);
		if (!value || strcmp(item, "type") == 0) {
			ret = machine_type(p, value ? value : item);
			if (ret)
				return ret;
			have_type = true;
		} else {
			p->m.ignored_options++; /* cap-*, ic-mode, ... */
		}
	}
	return have_type ? 0 : fail(p, -EINVAL, "-M: no machine type given");
}

/* -global spapr-pci-host-bridge.PROP=VALUE, or driver=...,property=...,value=... */
static int option_global(struct parse *p, char *arg, struct dmawin_papr_phb_config *globals)
{
	char *driver = NULL, *prop = NULL, *value = NULL, *item, *v;

	if (strncmp(arg, "driver=", 7) == 0) {
		while ((item = next_item(&arg))) {
			v = split_kv(item);
			if (v && strcmp(item, "driver") == 0)
				driver = v;
			else if (v && strcmp(item, "property") == 0)
				prop = v;
			else if (v && strcmp(item, "value") == 0)
				value = v;
		}
	} else {
		char *dot = strchr(arg, '.');

		value = split_kv(arg);
		if (dot && value) {
			*dot = '\0';
			driver = arg;
			prop = dot + 1;
		}
	}
	if (!driver || !prop || !value)
		return fail(p, -EINVAL, "-global: expected DRIVER.PROP=VALUE");
	if (strcmp(driver, PHB_DRIVER) != 0) {
		p->m.ignored_options++;
		return 0;
	}
	if (strcmp(prop, "index") == 0)
		return fail(p, -EINVAL, "-global: " PHB_DRIVER ".index cannot be global");
	return set_phb_prop(p, globals, prop, value);
}

static int add_phb(struct parse *p, char *props, const struct dmawin_papr_phb_config *globals)
{
	struct dmawin_papr_config *cfg = &p->m.papr;
	struct dmawin_papr_phb_config phb = *globals;
	char *item, *value, id[DMAWIN_QEMU_NAME_MAX] = "";
	bool have_index = false;
	int ret;

	if (cfg->nr_phbs >= DMAWIN_PAPR_MAX_PHBS)
		return fail(p, -E2BIG, "-device " PHB_DRIVER ": more than %d PHBs",
			    DMAWIN_PAPR_MAX_PHBS);
	while ((item = next_item(&props))) {
		value = split_kv(item);
		if (!value)
			return fail(p, -EINVAL, "-device " PHB_DRIVER ": '%s' has no value", item);
		if (strcmp(item, "id") == 0) {
			snprintf(id, sizeof(id), "%s", value);
			continue;
		}
		have_index |= strcmp(item, "index") == 0;
		ret = set_phb_prop(p, &phb, item, value);
		if (ret)
			return ret;
	}
	if (!have_index)
		return fail(p, -EINVAL, "-device " PHB_DRIVER ": index= is required");
	for (uint32_t i = 0; i < cfg->nr_phbs; i++)
		if (cfg->phbs[i].index == phb.index)
			return fail(p, -EINVAL, "-device " PHB_DRIVER ": index %u is already used",
				    phb.index);
	snprintf(p->phb_id[cfg->nr_phbs], DMAWIN_QEMU_NAME_MAX, "%s", id);
	if (!id[0])
		p->anonymous_phb[p->nr_anonymous++] = phb.index;
	cfg->phbs[cfg->nr_phbs++] = phb;
	return 0;
}

/* QEMU's bus name of a PHB → its index. */
static int bus_to_phb(struct parse *p, const char *bus, uint32_t *index)
{
	const struct dmawin_papr_config *cfg = &p->m.papr;
	size_t len;
	unsigned n;
	char tail;

	for (uint32_t i = 0; i < cfg->nr_phbs; i++) {
		len = strlen(p->phb_id[i]);
		if (len && strncmp(bus, p->phb_id[i], len) == 0 &&
		    (bus[len] == '\0' || strcmp(bus + len, ".0") == 0)) {
			*index = cfg->phbs[i].index;
			return 0;
		}
	}
	if (sscanf(bus, "pci.%u%c", &n, &tail) == 1 && n < p->nr_anonymous) {
		*index = p->anonymous_phb[n];
		return 0;
	}
	return fail(p, -EINVAL, "-device: bus '%s' is not a PCI host bridge of this machine", bus);
}

static bool is_pci_device(const char *driver)
{
	static const char *const not_pci[] = {"spapr-v", "usb-", "scsi-", "ide-", "nvme-ns",
					      "virtio-blk-device", "virtio-net-device", "isa-"};

	for (size_t i = 0; i < sizeof(not_pci) / sizeof(not_pci[0]); i++)
		if (strncmp(driver, not_pci[i], strlen(not_pci[i])) == 0)
			return false;
	return true;
}

static int parse_addr(struct parse *p, const char *text, struct dmawin_qemu_device *d)
{
	unsigned slot, fn = 0;
	int consumed = 0;

	if (sscanf(text, "%x%n", &slot, &consumed) != 1 ||
	    (text[consumed] == '.' && sscanf(text + consumed, ".%x%n", &fn, &consumed) != 1) ||
	    slot > 31 || fn > 7)
		return fail(p, -EINVAL, "-device %s: addr '%s' is not SLOT[.FN]", d->driver, text);
	d->slot = (int32_t)slot;
	d->function = (int32_t)fn;
	return 0;
}

static int add_device(struct parse *p, char *arg)
{
	struct dmawin_qemu_device d = {.phb_index = 0, .slot = -1};
	char *driver = next_item(&arg), *item, *value;
	int ret;

	if (!driver || !*driver)
		return fail(p, -EINVAL, "-device: no driver given");
	if (!is_pci_device(driver)) {
		p->m.ignored_options++;
		return 0;
	}
	if (p->m.nr_devices >= DMAWIN_QEMU_MAX_DEVICES)
		return fail(p, -E2BIG, "-device: more than %d devices", DMAWIN_QEMU_MAX_DEVICES);
	snprintf(d.driver, sizeof(d.driver), "%s", driver);
	d.phb_index = p->m.papr.phbs[0].index;
	while ((item = next_item(&arg))) {
		value = split_kv(item);
		if (!value)
			continue; /* boolean shorthand, not IOMMU-relevant */
		if (strcmp(item, "id") == 0)
			snprintf(d.id, sizeof(d.id), "%s", value);
		else if (strcmp(item, "bus") == 0 && (ret = bus_to_phb(p, value, &d.phb_index)))
			return ret;
		else if (strcmp(item, "addr") == 0 && (ret = parse_addr(p, value, &d)))
			return ret;
	}
	p->m.devices[p->m.nr_devices++] = d;
	return 0;
}

/* The option's argument, or NULL for an option that takes none (next word is an option). */
static char *take_argument(struct words *w, size_t *i)
{
	if (*i + 1 < w->count && w->word[*i + 1][0] != '-')
		return w->word[++*i];
	return NULL;
}

static bool option_is(const char *word, const char *name)
{
	/* QEMU accepts both -opt and --opt */
	if (word[0] == '-' && word[1] == '-')
		word++;
	return strcmp(word, name) == 0;
}

/* First pass: -m, -M and -global, which every PHB and device depends on. */
static int parse_machine_options(struct parse *p, struct words *w, size_t first,
				 struct dmawin_papr_phb_config *globals)
{
	int ret = 0;

	for (size_t i = first; i < w->count && !ret; i++) {
		const char *opt = w->word[i];
		bool is_m = option_is(opt, "-m");
		bool is_machine = option_is(opt, "-M") || option_is(opt, "-machine");
		bool is_global = option_is(opt, "-global");
		char *arg;

		if (opt[0] != '-')
			continue;
		if (!is_m && !is_machine && !is_global) {
			if (!option_is(opt, "-device"))
				p->m.ignored_options++;
			take_argument(w, &i);
			continue;
		}
		arg = take_argument(w, &i);
		if (!arg)
			return fail(p, -EINVAL, "%s: missing its argument", opt);
		ret = is_m ? option_m(p, arg)
			   : is_machine ? option_machine(p, arg) : option_global(p, arg, globals);
	}
	return ret;
}

/* Second pass: -device, in command-line order (PHBs before the devices on them). */
static int parse_devices(struct parse *p, struct words *w, size_t first,
			 const struct dmawin_papr_phb_config *globals)
{
	int ret = 0;

	for (size_t i = first; i < w->count && !ret; i++) {
		char *arg;

		if (w->word[i][0] != '-')
			continue;
		if (!option_is(w->word[i], "-device")) {
			take_argument(w, &i);
			continue;
		}
		arg = take_argument(w, &i);
		if (!arg)
			return fail(p, -EINVAL, "-device: missing its argument");
		if (strncmp(arg, PHB_DRIVER ",", sizeof(PHB_DRIVER)) == 0)
			ret = add_phb(p, arg + sizeof(PHB_DRIVER), globals);
		else if (strcmp(arg, PHB_DRIVER) == 0)
			ret = fail(p, -EINVAL, "-device " PHB_DRIVER ": index= is required");
		else
			ret = add_device(p, arg);
	}
	return ret;
}

static int parse_words(struct parse *p, struct words *w)
{
	struct dmawin_papr_phb_config globals;
	size_t first = 0;
	int ret;

	while (first < w->count && w->word[first][0] != '-')
		first++; /* the program and any wrapper before it */
	dmawin_papr_phb_config_init(&globals, 0);
	/* -M pseries-X.Y may change the PHB defaults: run the machine options on the config's
	 * own PHB 0 first, then take its values as the defaults every PHB starts from. */
	ret = parse_machine_options(p, w, first, &globals);
	if (ret)
		return ret;
	if (p->m.papr.compat < DMAWIN_PAPR_COMPAT_DEFAULT && globals.pgsz == DMAWIN_PAPR_DEFAULT_PGSZ)
		globals.pgsz = p->m.papr.phbs[0].pgsz;
	globals.index = p->m.papr.phbs[0].index;
	p->m.papr.phbs[0] = globals;
	p->nr_anonymous = 1;
	p->anonymous_phb[0] = globals.index;
	return parse_devices(p, w, first, &globals);
}

int dmawin_papr_qemu_parse(const char *cmdline, struct dmawin_qemu_machine *out, char *why,
			   size_t len)
{
	struct parse *p;
	struct words w;
	int ret;

	if (!cmdline || !out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->why = why;
	p->why_len = len;
	dmawin_papr_config_init(&p->m.papr);
	ret = words_split(cmdline, &w);
	if (ret) {
		if (ret == -EINVAL)
			fail(p, ret, "unterminated quote in the command line");
		free(p);
		return ret;
	}
	ret = parse_words(p, &w);
	if (!ret && p->m.papr.maxmem && p->m.papr.maxmem < p->m.papr.ram_size)
		ret = fail(p, -EINVAL, "-m: maxmem is below the RAM size");
	if (!ret)
		ret = dmawin_papr_config_check(&p->m.papr, why, len);
	if (!ret)
		*out = p->m;
	words_free(&w);
	free(p);
	return ret;
}
