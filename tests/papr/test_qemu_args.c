/* SPDX-License-Identifier: MIT */
/* The QEMU command-line parser: the options that shape the IOMMU, QEMU's defaults, bad input. */
#include <errno.h>
#include <string.h>

#include "dmawin/papr_qemu.h"
#include "dw_test.h"

static struct dmawin_qemu_machine machine;
static char why[256];

static int parse(const char *cmdline)
{
	why[0] = '\0';
	return dmawin_papr_qemu_parse(cmdline, &machine, why, sizeof(why));
}

/* The command line of ../shared/traces/default.meta.txt. */
static const char sample_default[] =
	"timeout 600 qemu-system-ppc64 -M pseries -m 2G -smp 1 -nodefaults -nographic -serial "
	"mon:stdio -no-reboot -msg timestamp=on -kernel WORK/k61/vmlinux -initrd "
	"WORK/k61/initrd.cpio.gz -append 'console=hvc0 dyndbg=\"file iommu.c +p\" trwork=all "
	"trhp=0 ' -drive file=WORK/nvme0.img,if=none,id=d0,format=raw -device "
	"nvme,drive=d0,serial=nv0 -netdev hubport,id=h0,hubid=0 -netdev hubport,id=h1,hubid=0 "
	"-device e1000,netdev=h0 -device e1000,netdev=h1 -chardev "
	"socket,id=qmp0,path=RUNDIR/qmp.sock,server=on,wait=off -mon chardev=qmp0,mode=control "
	"-trace events=RUNDIR/events.txt,file=RUNDIR/trace.log";

static void test_qemu_args_sample_trace_command_line(void **state)
{
	const struct dmawin_papr_phb_config *phb = &machine.papr.phbs[0];

	(void)state;
	assert_int_equal(parse(sample_default), 0);
	assert_int_equal(machine.papr.ram_size, 2 * GiB);
	assert_int_equal(machine.papr.compat, DMAWIN_PAPR_COMPAT_DEFAULT);
	assert_int_equal(machine.papr.nr_phbs, 1);
	assert_int_equal(phb->index, 0);
	assert_int_equal(phb->dma_win_addr, 0);
	assert_int_equal(phb->dma_win_size, 1 * GiB);
	assert_int_equal(phb->dma64_win_addr, 1ull << 59);
	assert_int_equal(phb->pgsz, DMAWIN_PAPR_DEFAULT_PGSZ);
	assert_true(phb->ddw);
	assert_int_equal(machine.nr_devices, 3);
	assert_string_equal(machine.devices[0].driver, "nvme");
	assert_string_equal(machine.devices[1].driver, "e1000");
	assert_string_equal(machine.devices[2].driver, "e1000");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(machine.devices[i].phb_index, 0);
		assert_int_equal(machine.devices[i].slot, -1);
	}
}

static void test_qemu_args_memory_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("qemu -M pseries -m 4096"), 0); /* bare number = MiB */
	assert_int_equal(machine.papr.ram_size, 4 * GiB);
	assert_int_equal(parse("qemu -m size=8G,slots=4,maxmem=64G"), 0);
	assert_int_equal(machine.papr.ram_size, 8 * GiB);
	assert_int_equal(machine.papr.maxmem, 64 * GiB);
	assert_int_equal(parse("qemu -m 1G,maxmem=2T"), 0);
	assert_int_equal(machine.papr.maxmem, 2 * TiB);
	assert_int_equal(parse("qemu"), 0); /* QEMU's default RAM */
	assert_int_equal(machine.papr.ram_size, DMAWIN_PAPR_DEFAULT_RAM_SIZE);
}

static void test_qemu_args_globals_apply_to_every_phb(void **state)
{
	(void)state;
	assert_int_equal(parse("qemu -M pseries -m 1G "
			       "-global spapr-pci-host-bridge.dma64_win_addr=0x100000000 "
			       "-global spapr-pci-host-bridge.pgsz=0x1011000 "
			       "-device spapr-pci-host-bridge,index=1,id=phb1,ddw=off "
			       "-device e1000,bus=phb1.0 -device nvme,bus=pci.0,addr=0x3.1"),
			 0);
	assert_int_equal(machine.papr.nr_phbs, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(machine.papr.phbs[i].dma64_win_addr, 0x100000000ull);
		assert_int_equal(machine.papr.phbs[i].pgsz, 0x1011000);
	}
	assert_true(machine.papr.phbs[0].ddw);
	assert_false(machine.papr.phbs[1].ddw);
	assert_int_equal(machine.papr.phbs[1].index, 1);
	assert_int_equal(machine.nr_devices, 2);
	assert_int_equal(machine.devices[0].phb_index, 1);
	assert_int_equal(machine.devices[1].phb_index, 0);
	assert_int_equal(machine.devices[1].slot, 3);
	assert_int_equal(machine.devices[1].function, 1);
}

static void test_qemu_args_global_long_form_and_anonymous_bus(void **state)
{
	(void)state;
	assert_int_equal(parse("qemu -global driver=spapr-pci-host-bridge,property=dma_win_size,"
			       "value=0x80000000 -device spapr-pci-host-bridge,index=5 "
			       "-device virtio-net-pci,bus=pci.1"),
			 0);
	assert_int_equal(machine.papr.phbs[0].dma_win_size, 2 * GiB);
	assert_int_equal(machine.papr.phbs[1].dma_win_size, 2 * GiB);
	assert_int_equal(machine.devices[0].phb_index, 5);
}

static void test_qemu_args_old_machine_version(void **state)
{
	(void)state;
	assert_int_equal(parse("qemu -machine pseries-4.1,cap-htm=off"), 0);
	assert_int_equal(machine.papr.compat, 401);
	assert_int_equal(machine.papr.phbs[0].pgsz, DMAWIN_PAPR_PGSZ_PRE_4_2);
	assert_int_equal(parse("qemu -M type=pseries-7.1"), 0);
	assert_int_equal(machine.papr.compat, 701);
	assert_int_equal(machine.papr.phbs[0].pgsz, DMAWIN_PAPR_DEFAULT_PGSZ);
}

static void test_qemu_args_non_pci_devices_ignored(void **state)
{
	(void)state;
	assert_int_equal(parse("qemu -device spapr-vscsi -device scsi-hd,drive=x "
			       "-device nvme-ns,drive=y -device vfio-pci,host=0001:01:00.0"),
			 0);
	assert_int_equal(machine.nr_devices, 1);
	assert_string_equal(machine.devices[0].driver, "vfio-pci");
}

static void test_qemu_args_bad_input_named(void **state)
{
	static const struct {
		const char *cmdline;
		const char *message;
	} bad[] = {
		{"qemu -M powernv9", "'powernv9' is not a pseries machine"},
		{"qemu -M pseries-99.0", "not a version dmawin models"},
		{"qemu -m lots", "'lots' is not a memory size"},
		{"qemu -m 1G,maxmem=512M", "maxmem is below the RAM size"},
		{"qemu -m 1G,colour=blue", "unknown parameter 'colour'"},
		{"qemu -m", "missing its argument"},
		{"qemu -append 'unterminated", "unterminated quote"},
		{"qemu -global spapr-pci-host-bridge.ddw=maybe", "'maybe' is not on/off"},
		{"qemu -global spapr-pci-host-bridge.pgsz=big", "'big' is not a number"},
		{"qemu -global nonsense", "expected DRIVER.PROP=VALUE"},
		{"qemu -device spapr-pci-host-bridge,id=x", "index= is required"},
		{"qemu -device spapr-pci-host-bridge,index=0", "index 0 is already used"},
		{"qemu -device spapr-pci-host-bridge,index=31", "is above 30"},
		{"qemu -device e1000,bus=pci.7", "bus 'pci.7' is not a PCI host bridge"},
		{"qemu -device e1000,addr=zz", "addr 'zz' is not SLOT[.FN]"},
		{"qemu -global spapr-pci-host-bridge.dma_win_addr=0x123", ""},
	};
	struct dmawin_qemu_machine before;

	(void)state;
	assert_int_equal(parse("qemu -m 3G"), 0);
	before = machine;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(bad[i].cmdline);

		if (ret != -EINVAL)
			fail_msg("'%s' returned %d, want -EINVAL", bad[i].cmdline, ret);
		if (!strstr(why, bad[i].message))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].cmdline, why,
				 bad[i].message);
		assert_true(why[0] != '\0');
		assert_memory_equal(&machine, &before, sizeof(machine)); /* untouched */
	}
}

static void test_qemu_args_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(dmawin_papr_qemu_parse_size("2G", 0, &v), 0);
	assert_int_equal(v, 2 * GiB);
	assert_int_equal(dmawin_papr_qemu_parse_size("0x1000", 20, &v), 0);
	assert_int_equal(v, 0x1000);
	assert_int_equal(dmawin_papr_qemu_parse_size("512", 20, &v), 0);
	assert_int_equal(v, 512 * MiB);
	assert_int_equal(dmawin_papr_qemu_parse_size("16E", 0, &v), -ERANGE);
	assert_int_equal(dmawin_papr_qemu_parse_size("1GB", 0, &v), -EINVAL);
	assert_int_equal(dmawin_papr_qemu_parse_size("-1", 0, &v), -EINVAL);
	assert_int_equal(dmawin_papr_qemu_parse_size("", 0, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_args_sample_trace_command_line),
		cmocka_unit_test(test_qemu_args_memory_forms),
		cmocka_unit_test(test_qemu_args_globals_apply_to_every_phb),
		cmocka_unit_test(test_qemu_args_global_long_form_and_anonymous_bus),
		cmocka_unit_test(test_qemu_args_old_machine_version),
		cmocka_unit_test(test_qemu_args_non_pci_devices_ignored),
		cmocka_unit_test(test_qemu_args_bad_input_named),
		cmocka_unit_test(test_qemu_args_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
