/* SPDX-License-Identifier: MIT */
/* A VFIO sPAPR client knowing nothing of dmawin (only <linux/vfio.h>), run under vfio-run:
 * every answer is checked against what Linux's PowerNV host gives; exit 0 when all match. */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "vfio_client: %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

int main(void)
{
	char link[256];
	ssize_t n = readlink("/sys/bus/pci/devices/0000:00:00.0/iommu_group", link, sizeof(link) - 1);
	int c, g, d, ret, fd;
	struct vfio_group_status st = {.argsz = sizeof(st)};
	struct vfio_iommu_spapr_tce_info info = {.argsz = sizeof(info)};
	struct vfio_iommu_spapr_register_memory reg = {.argsz = sizeof(reg)};
	struct vfio_iommu_type1_dma_map map = {.argsz = sizeof(map), .flags = 3};
	struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof(unmap)};
	uint16_t ids[2] = {0, 0};
	uint8_t *buf;

	EXPECT(n > 0);
	link[n > 0 ? n : 0] = '\0';
	EXPECT(strcmp(link, "../../../kernel/iommu_groups/0") == 0);
	EXPECT(open("/dev/vfio/99", O_RDWR) < 0 && errno == ENOENT);
	c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	EXPECT(c >= 0);
	EXPECT(ioctl(c, VFIO_GET_API_VERSION) == VFIO_API_VERSION);
	EXPECT(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU) == 1);
	EXPECT(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 0);
	EXPECT(ioctl(c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU) < 0 && errno == EINVAL);
	g = open("/dev/vfio/0", O_RDWR);
	EXPECT(g >= 0);
	EXPECT(open("/dev/vfio/0", O_RDWR) < 0 && errno == EBUSY);
	ret = ioctl(g, VFIO_GROUP_GET_STATUS, &st);
	EXPECT(ret == 0 && st.flags == VFIO_GROUP_FLAGS_VIABLE);
	EXPECT(ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:00:00.0") < 0 && errno == EINVAL);
	fd = -1;
	EXPECT(ioctl(g, VFIO_GROUP_SET_CONTAINER, &fd) < 0 && errno == EBADF);
	fd = 0;
	EXPECT(ioctl(g, VFIO_GROUP_SET_CONTAINER, &fd) < 0 && errno == EBADFD);
	EXPECT(ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) == 0);
	ret = ioctl(g, VFIO_GROUP_GET_STATUS, &st);
	EXPECT(ret == 0 && st.flags == (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET));
	EXPECT(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0 && errno == ENODEV);
	EXPECT(ioctl(c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU) == 0);
	ret = ioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info);
	EXPECT(ret == 0 && info.dma32_window_start == 0 && info.dma32_window_size == 0x80000000u);
	EXPECT(info.flags == VFIO_IOMMU_SPAPR_INFO_DDW && info.ddw.levels == 5);
	EXPECT(info.ddw.pgsizes == (0x1000 | 0x10000 | 0x1000000 | 0x10000000));
	buf = mmap(NULL, 4 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = (uint8_t *)(((uintptr_t)buf + 0xffff) & ~(uintptr_t)0xffff);
	memset(buf, 0x5a, 1 << 16);
	reg.vaddr = (uintptr_t)buf;
	reg.size = 1 << 16;
	map.vaddr = (uintptr_t)buf;
	map.iova = 0x10000;
	map.size = 0x10000;
	EXPECT(ioctl(c, VFIO_IOMMU_MAP_DMA, &map) < 0 && errno == EPERM); /* v2 not enabled yet */
	reg.size = 0x1000;
	EXPECT(ioctl(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) < 0 && errno == EINVAL);
	reg.size = 1 << 16;
	EXPECT(ioctl(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0);
	EXPECT(ioctl(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) < 0 && errno == EBUSY);
	EXPECT(ioctl(c, VFIO_IOMMU_MAP_DMA, &map) == 0);
	map.iova = 0x10800;
	EXPECT(ioctl(c, VFIO_IOMMU_MAP_DMA, &map) == 1); /* misaligned iova: Linux returns 1 */
	EXPECT(ioctl(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg) < 0 && errno == EBUSY);
	unmap.iova = 0x10000;
	unmap.size = 0x10000;
	EXPECT(ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap) == 0);
	EXPECT(ioctl(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg) == 0);
	d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:00:00.0");
	EXPECT(d >= 0 && (fcntl(d, F_GETFD) & FD_CLOEXEC));
	EXPECT(pread(d, ids, sizeof(ids), (off_t)VFIO_PCI_CONFIG_REGION_INDEX << 40) == 4);
	EXPECT(ids[0] != 0 && ids[0] != 0xffff);
	EXPECT(ioctl(g, VFIO_GROUP_UNSET_CONTAINER) < 0 && errno == EBUSY);
	EXPECT(ioctl(d, VFIO_DEVICE_RESET) < 0 && errno == EINVAL);
	EXPECT(ioctl(g, 0x3b00 + 200) < 0 && errno == ENOTTY);
	EXPECT(close(d) == 0);
	EXPECT(ioctl(g, VFIO_GROUP_UNSET_CONTAINER) == 0);
	EXPECT(ioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) < 0 && errno == EINVAL);
	printf("vfio_client: %d failures\n", failures);
	return failures ? 1 : 0;
}
