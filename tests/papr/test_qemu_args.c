/* SPDX-License-Identifier: MIT */
/* The QEMU command-line parser: the options that shape the IOMMU, QEMU's defaults, bad input. */
#include <errno.h>
#include <string.h>

#include "dmawin/mem.h"
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
	/* QEMU 7.2 slots: first free function 0 of pci.0 in order; -nodefaults: no VGA/USB */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(machine.devices[i].phb_index, 0);
		assert_int_equal(machine.devices[i].devfn, i << 3);
		assert_false(machine.devices[i].addr_given);
	}
	assert_string_equal(machine.devices[0].name, "nvme");
	assert_string_equal(machine.devices[1].name, "e1000");
	assert_string_equal(machine.devices[2].name, "e1000.1");
	assert_int_equal(machine.warnings.count, 0);
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
	assert_int_equal(parse("qemu -M pseries -m 1G -nodefaults "
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
	assert_int_equal(parse("qemu -nodefaults "
			       "-global driver=spapr-pci-host-bridge,property=dma_win_size,"
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
	assert_int_equal(parse("qemu -nodefaults -device spapr-vscsi -device scsi-hd,drive=x "
			       "-device nvme-ns,drive=y -device vfio-pci,host=0001:01:00.0"),
			 0);
	assert_int_equal(machine.nr_devices, 1);
	assert_string_equal(machine.devices[0].driver, "vfio-pci");
	/* the VIO SCSI adapter is left out, and said so */
	assert_int_equal(machine.warnings.count, 1);
	assert_non_null(strstr(machine.warnings.text[0], "spapr-vscsi"));
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

/* hw/pci/pci.c do_pci_register_device() and pci_init_multifunction(), qdev bus naming. */
static void test_qemu_args_pci_slots_as_qemu(void **state)
{
	(void)state;
	assert_int_equal(parse("qemu -nodefaults -device e1000,addr=1 -device nvme "
			       "-device e1000 -device virtio-net-pci,addr=6.1 -device nvme "
			       "-device spapr-pci-host-bridge,index=2,id=phb2 -device e1000 "
			       "-device nvme,bus=pci.0 -device e1000,bus=phb2.0,addr=0x1f,"
			       "multifunction=on -device e1000,bus=phb2.0,addr=1f.2,id=e1000.1"),
			 0);
	assert_int_equal(machine.nr_devices, 9);
	assert_int_equal(machine.devices[0].devfn, 1 << 3); /* addr= honoured */
	assert_int_equal(machine.devices[1].devfn, 0);	    /* first free slot */
	assert_int_equal(machine.devices[2].devfn, 2 << 3); /* slot 1 taken */
	assert_int_equal(machine.devices[3].devfn, 6 << 3 | 1);
	assert_int_equal(machine.devices[4].devfn, 3 << 3);
	/* no bus=: the newest PHB's bus, from its slot 0 */
	assert_int_equal(machine.devices[5].phb_index, 2);
	assert_int_equal(machine.devices[5].devfn, 0);
	assert_int_equal(machine.devices[6].phb_index, 0);
	assert_int_equal(machine.devices[6].devfn, 4 << 3);
	assert_int_equal(machine.devices[7].devfn, 0x1f << 3);
	assert_int_equal(machine.devices[8].devfn, 0x1f << 3 | 2);
	/* names: id= wins; TYPE, TYPE.1 ... skipping a name an id= took */
	assert_string_equal(machine.devices[0].name, "e1000");
	assert_string_equal(machine.devices[1].name, "nvme");
	assert_string_equal(machine.devices[2].name, "e1000.2");
	assert_string_equal(machine.devices[4].name, "nvme.1");
	assert_string_equal(machine.devices[5].name, "e1000.3");
	assert_string_equal(machine.devices[8].name, "e1000.1");
	assert_int_equal(machine.warnings.count, 0);
}

static void test_qemu_args_pci_refusals_as_qemu(void **state)
{
	static const struct {
		const char *cmdline, *message;
	} bad[] = {
		{"qemu -nodefaults -device nvme,addr=2 -device e1000,addr=2.0",
		 "slot 2 function 0 not available for e1000, in use by nvme"},
		{"qemu -nodefaults -device nvme,addr=2 -device e1000,addr=2.1",
		 "single function device can't be populated in function 2.1"},
		{"qemu -nodefaults -device nvme,addr=2.1 -device e1000,addr=2",
		 "2.0 indicates single function, but 2.1 is already populated"},
		{"qemu -device spapr-pci-host-bridge,index=1,id=b -device e1000,bus=b",
		 "bus 'b' is not a PCI host bridge's bus"},
		/* automatic placement only needs function 0 free: 1.0 is taken, then refused */
		{"qemu -nodefaults -device e1000,addr=0 -device e1000,addr=1.1 -device nvme",
		 "1.0 indicates single function, but 1.1 is already populated"},
		{"qemu -device e1000,multifunction=maybe", "multifunction 'maybe' is not on/off"},
		{"qemu -device e1000,addr=0x20", "addr '0x20' is not SLOT[.FN]"},
		{"qemu -vga cirrus", "-vga: 'cirrus' is not supported by pseries"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].cmdline) != -EINVAL || !strstr(why, bad[i].message))
			fail_msg("'%s': '%s' lacks '%s'", bad[i].cmdline, why, bad[i].message);
	}
	/* multifunction=on on function 0 allows the others */
	assert_int_equal(parse("qemu -nodefaults -device nvme,addr=2,multifunction=on "
			       "-device e1000,addr=2.1"),
			 0);
}

/* spapr_machine_init(): -nic NICs, then VGA, then the USB controller, before any -device. */
static void test_qemu_args_default_devices_take_slots(void **state)
{
	(void)state;
	assert_int_equal(
		parse("qemu -M pseries -nic user,model=e1000 -device nvme -netdev user,id=n "
		      "-chardev stdio,id=c -trace events=x -drive if=none,id=d "
		      "-kernel k -initrd i -append 'a b' -smp 2 -cpu POWER9 -accel tcg "
		      "-nographic -no-reboot -enable-kvm -msg timestamp=on -name g "
		      "-display none -boot c -serial mon:stdio -object rng-random,id=r"),
		0);
	assert_int_equal(machine.nr_devices, 4);
	assert_string_equal(machine.devices[0].driver, "e1000");
	assert_false(machine.devices[0].implicit);
	assert_string_equal(machine.devices[1].driver, "VGA");
	assert_true(machine.devices[1].no_dma);
	assert_string_equal(machine.devices[2].driver, "nec-usb-xhci");
	assert_true(machine.devices[2].implicit);
	assert_int_equal(machine.devices[3].devfn, 3 << 3);
	assert_int_equal(machine.warnings.count, 0); /* all of those are silent */
	assert_int_equal(parse("qemu -vga none -device nvme"), 0);
	assert_int_equal(machine.nr_devices, 1);
	assert_int_equal(parse("qemu -frobnicate -device frob-pci"), 0);
	assert_int_equal(machine.warnings.count, 2);
	assert_non_null(strstr(machine.warnings.text[0], "-frobnicate"));
	assert_non_null(strstr(machine.warnings.text[1], "frob-pci"));
}

/* spapr_machine_init() device memory, spapr_dt_rtas() lrdr-capacity, first-fit DIMMs. */
static void test_qemu_args_memory_hotplug_layout(void **state)
{
	uint64_t base, size, at;

	(void)state;
	assert_int_equal(
		parse("qemu -m 2560M,slots=4,maxmem=8G -nodefaults "
		      "-object memory-backend-ram,id=m0,size=1G "
		      "-object memory-backend-ram,id=m1,size=512M "
		      "-object memory-backend-file,id=p0,size=1040M,mem-path=/x "
		      "-device pc-dimm,memdev=m0,addr=0x100000000 -device pc-dimm,memdev=m1 "
		      "-device nvdimm,memdev=p0,label-size=16M"),
		0);
	assert_int_equal(dmawin_papr_device_memory(&machine.papr, &base, &size), 0);
	assert_int_equal(base, 3 * GiB); /* ROUND_UP(2.5G, 1G) */
	assert_int_equal(size, 8 * GiB - 2560 * MiB);
	assert_int_equal(dmawin_papr_lrdr_capacity(&machine.papr), base + size);
	assert_int_equal(machine.papr.nr_dimms, 3);
	assert_int_equal(machine.papr.dimms[0].addr, 4 * GiB);
	assert_int_equal(machine.papr.dimms[1].addr, 3 * GiB); /* first fit below it */
	assert_int_equal(machine.papr.dimms[2].addr, 5 * GiB);
	assert_int_equal(machine.papr.dimms[2].size, 1 * GiB); /* label excluded */
	assert_true(machine.papr.dimms[2].nvdimm);
	assert_int_equal(dmawin_papr_dimm_place(&machine.papr, 256 * MiB, UINT64_MAX, &at, NULL, 0),
			 0);
	assert_int_equal(at, 3 * GiB + 512 * MiB);
	/* no hotplug area: lrdr-capacity 0 as QEMU 7.2 writes it */
	assert_int_equal(parse("qemu -m 2G"), 0);
	assert_int_equal(dmawin_papr_lrdr_capacity(&machine.papr), 0);
	assert_int_equal(
		parse("qemu -m 1G,slots=1,maxmem=2G -object memory-backend-ram,id=a,size=100M "
		      "-device pc-dimm,memdev=a"),
		-EINVAL);
	assert_non_null(strstr(why, "multiple of 256 MB"));
	assert_int_equal(
		parse("qemu -m 1G,slots=1,maxmem=2G -object memory-backend-ram,id=a,size=512M "
		      "-object memory-backend-ram,id=b,size=256M -device pc-dimm,memdev=a "
		      "-device pc-dimm,memdev=b"),
		-EINVAL);
	assert_non_null(strstr(why, "no free DIMM slot"));
	assert_int_equal(parse("qemu -m 1G,slots=2"), -EINVAL);
	assert_non_null(strstr(why, "slots= without maxmem="));
	assert_int_equal(
		parse("qemu -m 1G,slots=2,maxmem=2G -object memory-backend-ram,id=a,size=1G "
		      "-device nvdimm,memdev=a"),
		-EINVAL);
	assert_non_null(strstr(why, "label-size"));
}

/* A hot-added DIMM is RAM at QEMU's address in the machine's mem. */
static void test_qemu_args_dimm_hot_add_is_ram(void **state)
{
	struct dmawin_papr *m;
	uint64_t at;
	void *host;

	(void)state;
	assert_int_equal(parse("qemu -m 1G,slots=2,maxmem=3G"), 0);
	assert_int_equal(dmawin_papr_create(&machine.papr, &m, why, sizeof(why)), 0);
	assert_int_equal(dmawin_mem_translate(dmawin_papr_mem(m), GiB, 4096, &host), -EFAULT);
	assert_int_equal(dmawin_papr_dimm_plug(m, GiB, false, UINT64_MAX, &at), 0);
	assert_int_equal(at, GiB);
	assert_int_equal(dmawin_mem_translate(dmawin_papr_mem(m), GiB, 4096, &host), 0);
	assert_int_equal(dmawin_papr_dimm_plug(m, 2 * GiB, false, UINT64_MAX, &at), -ENOSPC);
	dmawin_papr_destroy(m);
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
		cmocka_unit_test(test_qemu_args_pci_slots_as_qemu),
		cmocka_unit_test(test_qemu_args_pci_refusals_as_qemu),
		cmocka_unit_test(test_qemu_args_default_devices_take_slots),
		cmocka_unit_test(test_qemu_args_memory_hotplug_layout),
		cmocka_unit_test(test_qemu_args_dimm_hot_add_is_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
