/* SPDX-License-Identifier: MIT */
/*
 * dmawin vfio-run: run an unmodified program with libdmawin-vfio-preload.so, whose /dev/vfio
 * files are a dmawin VFIO container and groups on the machine given here. The tool checks the
 * machine and the program, writes the machine description to a temporary file named by
 * DMAWIN_VFIO_MACHINE, runs the program with LD_PRELOAD and exits with its status.
 */
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "dmawin/papr_qemu.h"
#include "vr_machine.h"

#ifndef DMAWIN_VFIO_PRELOAD_INSTALLED
#define DMAWIN_VFIO_PRELOAD_INSTALLED "libdmawin-vfio-preload.so"
#endif
#define PRELOAD_NAME "libdmawin-vfio-preload.so"

struct run_args {
	const char *scenario;
	const char *qemu_args;
	const char *kernel_args;
	const char *guest_kernel;
	const char *guest_page_size;
	const char *trace_out;
	const char *report;
	bool verbose;
	char *devices[VR_MAX_FUNCTIONS];
	unsigned nr_devices;
	char **program; /* argv of the program, NULL-terminated */
};

#define usage(...) tool_usage_error("vfio-run", __VA_ARGS__)

/* @p made absolute against the current directory (the program may chdir before it exits). */
static int absolute(const char *p, char *out, size_t len)
{
	char cwd[PATH_MAX];
	int n;

	if (p[0] == '/')
		n = snprintf(out, len, "%s", p);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, len, "%s/%s", cwd, p);
	else
		return -errno;
	return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **slot = strcmp(o, "--qemu-args") == 0	    ? &a->qemu_args
				    : strcmp(o, "--kernel-args") == 0	    ? &a->kernel_args
				    : strcmp(o, "--guest-kernel") == 0	    ? &a->guest_kernel
				    : strcmp(o, "--guest-page-size") == 0 ? &a->guest_page_size
				    : strcmp(o, "--trace-out") == 0	    ? &a->trace_out
				    : strcmp(o, "--report") == 0	    ? &a->report
									    : NULL;

		if (strcmp(o, "--") == 0) {
			if (i + 1 >= argc)
				return usage("%s: no program after it", o);
			a->program = &argv[i + 1];
			break;
		} else if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0) {
			a->verbose = true;
		} else if (slot || strcmp(o, "--device") == 0) {
			if (i + 1 >= argc)
				return usage("%s needs a value", o);
			if (slot)
				*slot = argv[++i];
			else if (a->nr_devices == VR_MAX_FUNCTIONS)
				return usage("more than %s --device options", "64");
			else
				a->devices[a->nr_devices++] = argv[++i];
		} else if (o[0] == '-' && o[1]) {
			return usage("unknown option '%s'", o);
		} else if (a->scenario) {
			return usage("more than one scenario (the program goes after --): '%s'", o);
		} else {
			a->scenario = o;
		}
	}
	if (!a->program)
		return usage("%s", "give the program to run after --");
	if (a->scenario && a->qemu_args)
		return usage("%s", "give a scenario or --qemu-args, not both");
	if (a->kernel_args && !a->qemu_args)
		return usage("%s", "--kernel-args goes with --qemu-args");
	if (a->guest_page_size && !a->qemu_args && !a->guest_kernel)
		return usage("%s", "--guest-page-size goes with a guest (--qemu-args or --guest-kernel)");
	return 0;
}

/* The guest kernel and its PAGE_SIZE. Only Linux 6.12's pseries VFIO backend is modelled. */
static int guest_settings(const struct run_args *a, struct vr_machine *m)
{
	uint64_t ps = 65536;

	if (a->guest_page_size && (dmawin_papr_qemu_parse_size(a->guest_page_size, 0, &ps) < 0 ||
				   (ps != 4096 && ps != 65536)))
		return usage("--guest-page-size: '%s' is not 4K or 64K", a->guest_page_size);
	if (a->guest_kernel && strcmp(a->guest_kernel, "6.12") != 0)
		return usage("--guest-kernel: '%s': vfio-run models the VFIO sPAPR driver on "
			     "Linux 6.12's pseries IOMMU ops (give 6.12)",
			     a->guest_kernel);
	snprintf(m->guest_kernel, sizeof(m->guest_kernel), "6.12");
	m->page_size = ps;
	return 0;
}

static int build_machine(const struct run_args *a, struct vr_machine *m)
{
	char why[512];
	int rc;

	memset(m, 0, sizeof(*m));
	m->platform = (a->qemu_args || a->guest_kernel) ? VR_PSERIES : VR_POWERNV;
	if (m->platform == VR_PSERIES) {
		rc = guest_settings(a, m);
		if (rc)
			return rc;
		/* the preload's platforms are PowerNV only: never answer a guest's program with a
		 * host's driver */
		return usage("%s", "a pseries guest (--qemu-args, --guest-kernel) is not modelled "
				   "yet; give a scenario (PowerNV host)");
	} else {
		m->page_size = 65536; /* a ppc64le PowerNV host kernel */
	}
	if (a->trace_out && m->platform != VR_PSERIES)
		return usage("%s", "--trace-out writes a pseries guest's hcalls: it needs "
				   "--qemu-args or --guest-kernel");
	if (a->scenario && absolute(a->scenario, m->scenario, sizeof(m->scenario)) < 0)
		return usage("%s", "the scenario's path is too long");
	m->qemu_args = a->qemu_args ? strdup(a->qemu_args) : NULL;
	m->kernel_args = a->kernel_args ? strdup(a->kernel_args) : NULL;
	if (vr_machine_load(m, why, sizeof(why)) < 0) {
		fprintf(stderr, "dmawin vfio-run: %s\n", why);
		return 2;
	}
	if (vr_machine_bind_only(m, a->devices, a->nr_devices, why, sizeof(why)) < 0) {
		fprintf(stderr, "dmawin vfio-run: %s\n", why);
		return 2;
	}
	m->verbose = a->verbose;
	if ((a->report && absolute(a->report, m->report, sizeof(m->report)) < 0) ||
	    (a->trace_out && absolute(a->trace_out, m->trace_out, sizeof(m->trace_out)) < 0))
		return usage("%s", "--report / --trace-out: path too long");
	return 0;
}

/* execvp's search, to look at the file before running it. */
static int find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(out, X_OK) == 0 ? 0 : -errno;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s/%s", (int)n, n ? p : ".", name);
		if (access(out, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

/* Whether @path is an ELF program with an interpreter (dynamically linked), or a script whose
 * interpreter is one. 0 yes; -ENOEXEC no. */
static int is_dynamic(const char *path, int depth)
{
	FILE *f = fopen(path, "rb");
	Elf64_Ehdr eh;
	int rc = -ENOEXEC;

	if (!f)
		return -errno;
	if (fread(&eh, 1, sizeof(eh), f) >= 2 && memcmp(&eh, "#!", 2) == 0 && depth == 0) {
		char line[PATH_MAX + 3], interp[PATH_MAX];

		rewind(f);
		if (fgets(line, sizeof(line), f) && sscanf(line + 2, " %4095s", interp) == 1)
			rc = is_dynamic(interp, 1);
	} else if (memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;

			if (fseek(f, (long)(eh.e_phoff + (uint64_t)i * eh.e_phentsize), SEEK_SET) ||
			    fread(&ph, 1, sizeof(ph), f) != sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP) {
				rc = 0;
				break;
			}
		}
	}
	fclose(f);
	return rc;
}

/* The preload library: $DMAWIN_VFIO_PRELOAD, the build tree's, or the installed one. */
static void preload_path(char *out, size_t len)
{
	const char *env = getenv("DMAWIN_VFIO_PRELOAD");
	char exe[PATH_MAX];
	ssize_t n;
	int w;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		w = snprintf(out, len, "%s/../vfio-preload/%s", exe, PRELOAD_NAME);
		if (w > 0 && (size_t)w < len && access(out, R_OK) == 0)
			return;
	}
	snprintf(out, len, "%s", DMAWIN_VFIO_PRELOAD_INSTALLED);
}

/* A sanitizer build: the runtimes this tool runs with must come first in the program too. */
static int add_runtime(struct dl_phdr_info *info, size_t size, void *arg)
{
	static const char *const names[] = {"libasan.so", "libubsan.so", "libtsan.so",
					    "libclang_rt.asan", "libclang_rt.ubsan"};
	char *list = arg;

	(void)size;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (info->dlpi_name && strstr(info->dlpi_name, names[i]) &&
		    strlen(list) + strlen(info->dlpi_name) + 2 < PATH_MAX * 2) {
			strcat(list, info->dlpi_name);
			strcat(list, ":");
		}
	}
	return 0;
}

static int set_environment(const char *machine_file)
{
	char preload[PATH_MAX + 64];
	char *list = calloc(1, PATH_MAX * 4);
	const char *old = getenv("LD_PRELOAD");
	int rc;

	if (!list)
		return -1;
	dl_iterate_phdr(add_runtime, list);
	preload_path(preload, sizeof(preload));
	strcat(list, preload);
	if (old && *old) {
		strncat(list, ":", PATH_MAX * 4 - strlen(list) - 1);
		strncat(list, old, PATH_MAX * 4 - strlen(list) - 1);
	}
	rc = setenv("LD_PRELOAD", list, 1) || setenv(VR_ENV_MACHINE, machine_file, 1);
	free(list);
	return rc;
}

static int run_program(char **program, const char *machine_file)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "dmawin vfio-run: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		if (set_environment(machine_file) == 0)
			execvp(program[0], program);
		fprintf(stderr, "dmawin vfio-run: %s: %s\n", program[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 2;
	unlink(machine_file);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* die of the same signal, so that our parent sees what the program did */
	signal(WTERMSIG(status), SIG_DFL);
	raise(WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

int cmd_vfio_run(int argc, char **argv)
{
	struct run_args a = {0};
	struct vr_machine m;
	char path[PATH_MAX], machine_file[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	int rc, fd;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	rc = find_program(a.program[0], path, sizeof(path));
	if (rc < 0) {
		fprintf(stderr, "dmawin vfio-run: %s: %s\n", a.program[0], strerror(-rc));
		return 2;
	}
	if (is_dynamic(path, 0) < 0) {
		fprintf(stderr,
			"dmawin vfio-run: %s: not a dynamically linked program (no ELF "
			"interpreter): a preload library cannot reach it\n",
			path);
		return 2;
	}
	rc = build_machine(&a, &m);
	if (rc) {
		vr_machine_free(&m);
		return rc;
	}
	snprintf(machine_file, sizeof(machine_file), "%s/dmawin-vfio-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(machine_file);
	if (fd < 0 || close(fd) != 0 || vr_machine_write(&m, machine_file) < 0) {
		fprintf(stderr, "dmawin vfio-run: %s: cannot write the machine description\n",
			machine_file);
		vr_machine_free(&m);
		return 2;
	}
	vr_machine_free(&m);
	return run_program(a.program, machine_file);
}
