/* SPDX-License-Identifier: MIT */
/*
 * Typed reads from a jansson tree. Every refusal names the JSON path of the value and what was
 * expected, so that a bad scenario can be fixed from the message alone.
 */
#include <string.h>

#include "dmawin/papr_qemu.h"
#include "sim/sim_int.h"

int sim_fail(struct sim_parse *p, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (p->err) {
		memset(p->err, 0, sizeof(*p->err));
		snprintf(p->err->file, sizeof(p->err->file), "%s", p->file);
		snprintf(p->err->path, sizeof(p->err->path), "%s", path ? path : "");
		va_start(ap, fmt);
		vsnprintf(p->err->text, sizeof(p->err->text), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void sim_path(char *out, const char *base, const char *key, int index)
{
	if (index >= 0)
		snprintf(out, SIM_PATH_MAX, "%s[%d]", base, index);
	else
		snprintf(out, SIM_PATH_MAX, "%s.%s", base, key);
}

int sim_need_object(struct sim_parse *p, const json_t *v, const char *path)
{
	if (!json_is_object(v))
		return sim_fail(p, path, "expected an object");
	return 0;
}

int sim_check_keys(struct sim_parse *p, const json_t *obj, const char *path,
		   const char *const *allowed)
{
	const char *key;
	json_t *value;
	char at[SIM_PATH_MAX];

	json_object_foreach((json_t *)(uintptr_t)obj, key, value)
	{
		bool known = false;

		for (size_t i = 0; allowed[i]; i++)
			known = known || strcmp(allowed[i], key) == 0;
		if (!known) {
			sim_path(at, path, key, -1);
			return sim_fail(p, at, "unknown key '%s'", key);
		}
	}
	return 0;
}

static const json_t *member(const json_t *obj, const char *key)
{
	return json_object_get(obj, key);
}

static int missing(struct sim_parse *p, const char *at, bool required)
{
	if (required)
		return sim_fail(p, at, "missing (required)");
	return 1;
}

static int check_range(struct sim_parse *p, const char *at, uint64_t v, uint64_t min, uint64_t max)
{
	if (v < min || v > max)
		return sim_fail(p, at, "%llu is out of range %llu..%llu", (unsigned long long)v,
				(unsigned long long)min, (unsigned long long)max);
	return 0;
}

/* Integers only: JSON reals are refused rather than rounded. A string is parsed as a QEMU
 * number (decimal or 0x hex) so that addresses can be written as in a QEMU command line. */
static int read_number(struct sim_parse *p, const json_t *v, const char *at, unsigned unit_shift,
		       bool sizes, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0)
			return sim_fail(p, at, "negative value %lld", (long long)i);
		*out = (uint64_t)i;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		int rc = dmawin_papr_qemu_parse_size(s, unit_shift, out);

		if (rc == -ERANGE)
			return sim_fail(p, at, "'%s' does not fit in 64 bits", s);
		if (rc < 0)
			return sim_fail(p, at, "'%s' is not a %s", s,
					sizes ? "size (e.g. 4096, \"64K\", \"16G\", \"0x1000\")"
					      : "number (decimal or 0x hex)");
		return 0;
	}
	return sim_fail(p, at, "expected %s",
			sizes ? "a size (integer or string like \"16G\")" : "an integer");
}

/* One optional or required number member, checked against [min, max]; sizes accept "16G". */
static int get_number(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		      uint64_t min, uint64_t max, bool required, bool sizes, uint64_t *out)
{
	const json_t *v = member(obj, key);
	char at[SIM_PATH_MAX];
	uint64_t value;
	int rc;

	sim_path(at, path, key, -1);
	if (!v)
		return missing(p, at, required) < 0 ? -EINVAL : 0;
	rc = read_number(p, v, at, 0, sizes, &value);
	if (rc == 0)
		rc = check_range(p, at, value, min, max);
	if (rc == 0)
		*out = value;
	return rc;
}

int sim_get_uint(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 uint64_t min, uint64_t max, bool required, uint64_t *out)
{
	return get_number(p, obj, path, key, min, max, required, false, out);
}

int sim_get_size(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 uint64_t min, uint64_t max, bool required, uint64_t *out)
{
	return get_number(p, obj, path, key, min, max, required, true, out);
}

int sim_get_bool(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 bool *out)
{
	const json_t *v = member(obj, key);
	char at[SIM_PATH_MAX];

	sim_path(at, path, key, -1);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return sim_fail(p, at, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

int sim_get_string(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		   bool required, char *buf, size_t len)
{
	const json_t *v = member(obj, key);
	char at[SIM_PATH_MAX];

	sim_path(at, path, key, -1);
	if (!v)
		return missing(p, at, required) < 0 ? -EINVAL : 0;
	if (!json_is_string(v))
		return sim_fail(p, at, "expected a string");
	if (json_string_length(v) >= len)
		return sim_fail(p, at, "longer than %zu characters", len - 1);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return sim_fail(p, at, "contains a NUL character");
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int sim_get_enum(struct sim_parse *p, const json_t *obj, const char *path, const char *key,
		 const char *const *names, int *out)
{
	const json_t *v = member(obj, key);
	char at[SIM_PATH_MAX], choices[160] = "";
	size_t used = 0;

	sim_path(at, path, key, -1);
	if (!v)
		return 0;
	for (int i = 0; names[i]; i++) {
		if (json_is_string(v) && strcmp(json_string_value(v), names[i]) == 0) {
			*out = i;
			return 0;
		}
		used += (size_t)snprintf(choices + used, sizeof(choices) - used, "%s%s",
					 i ? ", " : "", names[i]);
		if (used >= sizeof(choices))
			break;
	}
	if (!json_is_string(v))
		return sim_fail(p, at, "expected one of: %s", choices);
	return sim_fail(p, at, "'%s' is not one of: %s", json_string_value(v), choices);
}
