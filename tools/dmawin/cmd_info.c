/* SPDX-License-Identifier: MIT */
/* dmawin info: the build and what the library supports. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dmawin/dmawin.h"

static json_t *build_info(void)
{
	json_t *o = json_object();
	json_t *layers = json_array();
	char list[] = DMAWIN_LAYERS;

	for (char *save, *l = strtok_r(list, " ", &save); l; l = strtok_r(NULL, " ", &save))
		json_array_append_new(layers, json_string(l));
	json_object_set_new(o, "version", json_string(dmawin_version()));
	json_object_set_new(o, "compiler", json_string("gcc " __VERSION__));
	json_object_set_new(o, "buildtype", json_string(DMAWIN_BUILDTYPE));
	json_object_set_new(o, "layers", layers);
	json_object_set_new(o, "host_page_size", json_integer(sysconf(_SC_PAGESIZE)));
	return o;
}

static void print_text(json_t *o)
{
	size_t i;
	json_t *l;

	printf("dmawin %s (%s build, %s)\n", json_string_value(json_object_get(o, "version")),
	       json_string_value(json_object_get(o, "buildtype")),
	       json_string_value(json_object_get(o, "compiler")));
	printf("layers:");
	json_array_foreach(json_object_get(o, "layers"), i, l)
		printf(" %s", json_string_value(l));
	printf("\nhost page size: %lld bytes\n",
	       (long long)json_integer_value(json_object_get(o, "host_page_size")));
}

int cmd_info(int argc, char **argv)
{
	bool as_json = false;
	json_t *o;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = true;
		else
			return tool_usage_error("info", "unknown option '%s'", argv[i]);
	}
	o = build_info();
	if (as_json) {
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		print_text(o);
	}
	json_decref(o);
	return 0;
}
