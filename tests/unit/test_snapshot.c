/* snapshot.c's plan (which drives, and why a VM cannot be snapshotted) and the
 * snapshots array both qemu-img info and query-block give. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot.h"

static struct profile *
vm(struct drive *d, size_t n)
{
	static struct profile p;

	memset(&p, 0, sizeof p);
	p.name = "vm";
	p.drives = d;
	p.ndrives = n;
	return &p;
}

START_TEST(test_plan_disks)
{
	struct drive d[] = {
		{ .file = "/i/iso.img", .format = "raw", .media = "cdrom" },
		{ .file = "/i/root.qcow2", .format = "qcow2" },
		{ .file = "/i/ro.raw", .format = "raw", .readonly = true },
		{ .file = "/i/tmp.raw", .format = "raw", .snapshot = true },
		{ .file = "/i/data.qcow2", .format = "qcow2", .iface = "virtio" },
	};
	struct snap_plan plan;

	snap_plan_make(vm(d, 5), false, &plan);
	ck_assert_ptr_null(plan.refusal);
	ck_assert_uint_eq(plan.n, 2);
	ck_assert_str_eq(plan.files[0], "/i/root.qcow2");	/* holds the VM state */
	ck_assert_str_eq(plan.files[1], "/i/data.qcow2");
	snap_plan_free(&plan);
	ck_assert_ptr_null(plan.files);
}
END_TEST

START_TEST(test_plan_refusals)
{
	struct drive raw[] = {
		{ .file = "/i/root.qcow2", .format = "qcow2" },
		{ .file = "/i/disk.img", .format = "raw" },
	};
	struct drive efi[] = {
		{ .file = "/i/root.qcow2", .format = "qcow2" },
		{ .file = "/i/OVMF_VARS.fd", .format = "raw", .iface = "pflash" },
	};
	struct drive vmdk[] = { { .file = "/i/old.vmdk", .format = "vmdk" } };
	struct snap_plan plan;

	snap_plan_make(vm(raw, 2), false, &plan);
	ck_assert_uint_eq(plan.n, 1);	/* a list still reads the qcow2 one */
	ck_assert_ptr_nonnull(plan.refusal);
	ck_assert_msg(strstr(plan.refusal, "drives[1] (/i/disk.img) is writable and raw, "
	    "not qcow2") != NULL, "%s", plan.refusal);
	snap_plan_free(&plan);

	snap_plan_make(vm(efi, 2), false, &plan);
	ck_assert_msg(strstr(plan.refusal, "drives[1] (/i/OVMF_VARS.fd) is a writable pflash "
	    "file (UEFI variables)") != NULL, "%s", plan.refusal);
	snap_plan_free(&plan);

	snap_plan_make(vm(vmdk, 1), false, &plan);
	ck_assert_uint_eq(plan.n, 0);
	ck_assert_msg(strstr(plan.refusal, "is writable and vmdk") != NULL, "%s", plan.refusal);
	snap_plan_free(&plan);

	snap_plan_make(vm(NULL, 0), false, &plan);
	ck_assert_msg(strstr(plan.refusal, "vm has no writable qcow2 disk") != NULL, "%s",
	    plan.refusal);
	snap_plan_free(&plan);

	snap_plan_make(vm(raw, 1), true, &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_msg(strstr(plan.refusal, "this run of vm is throwaway") != NULL, "%s",
	    plan.refusal);
	snap_plan_free(&plan);
}
END_TEST

/* Without "format", the file's first bytes decide, as QEMU's probe does. */
START_TEST(test_plan_probe)
{
	char q[] = "/tmp/test_snapshot_q.XXXXXX", r[] = "/tmp/test_snapshot_r.XXXXXX";
	int fq = mkstemp(q), fr = mkstemp(r);
	struct drive d[2] = { { .file = q }, { .file = r } };
	struct snap_plan plan;

	ck_assert_int_ge(fq, 0);
	ck_assert_int_ge(fr, 0);
	ck_assert_int_eq(write(fq, "QFI\xfb\0\0\0\3", 8), 8);
	ck_assert_int_eq(write(fr, "\0\0\0\0\0\0\0\0", 8), 8);
	close(fq);
	close(fr);
	snap_plan_make(vm(d, 2), false, &plan);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_str_eq(plan.files[0], q);
	ck_assert_msg(strstr(plan.refusal, "is writable and raw") != NULL, "%s", plan.refusal);
	snap_plan_free(&plan);
	unlink(q);
	unlink(r);
}
END_TEST

START_TEST(test_snapshots_parse)
{
	struct json_object *img = json_tokener_parse("{\"filename\": \"/d.qcow2\", "
	    "\"snapshots\": [{\"vm-clock-nsec\": 282302495, \"name\": \"t1\", "
	    "\"date-sec\": 1796505459, \"date-nsec\": 754832000, \"vm-clock-sec\": 3669, "
	    "\"id\": \"1\", \"vm-state-size\": 62211279}, {\"name\": \"off\", \"id\": \"2\"}]}");
	struct image_snapshot *s;
	char buf[32];
	size_t n;

	n = image_snapshots_parse(img, &s);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(s[0].tag, "t1");
	ck_assert_str_eq(s[0].id, "1");
	ck_assert_uint_eq(s[0].vm_size, 62211279u);
	ck_assert_int_eq(s[0].date_sec, 1796505459);
	ck_assert_int_eq(s[0].vm_clock_ns, 3669282302495LL);
	image_format_clock(s[0].vm_clock_ns, buf, sizeof buf);
	ck_assert_str_eq(buf, "01:01:09.282");
	ck_assert_str_eq(s[1].tag, "off");
	ck_assert_uint_eq(s[1].vm_size, 0);
	free(s);
	json_object_put(img);

	img = json_tokener_parse("{\"filename\": \"/raw.img\"}");
	ck_assert_uint_eq(image_snapshots_parse(img, &s), 0);
	ck_assert_ptr_null(s);
	json_object_put(img);
	ck_assert_uint_eq(image_snapshots_parse(NULL, &s), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("snapshot");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_plan_disks);
	tcase_add_test(tc, test_plan_refusals);
	tcase_add_test(tc, test_plan_probe);
	tcase_add_test(tc, test_snapshots_parse);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
