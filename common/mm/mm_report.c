/* mm_report: one log line summarizing the frame allocator, the heap and the shared regions. */
#include <keel/mm.h>
#include <keel/printk.h>

/* Frames of the boot-time shared regions: no domain's pages, never freed. */
static u64 shared_frames;

void mm_note_shared(u64 frames)
{
	shared_frames += frames;
}

void mm_report(void)
{
	struct frame_stats fs;
	struct heap_stats hs;

	frames_get_stats(&fs);
	heap_get_stats(&hs);
	if (!shared_frames) {
		pr_info(
		    "mm: frames total %llu MiB, free %llu MiB; heap %llu KiB in use in %llu pages",
		    (unsigned long long)(fs.total_frames >> (20 - PAGE_SHIFT)),
		    (unsigned long long)(fs.free_frames >> (20 - PAGE_SHIFT)),
		    (unsigned long long)(hs.bytes_in_use >> 10), (unsigned long long)hs.pages_held);
		return;
	}
	pr_info("mm: frames total %llu MiB, free %llu MiB; heap %llu KiB in use in %llu pages; "
		"shared regions %llu KiB",
		(unsigned long long)(fs.total_frames >> (20 - PAGE_SHIFT)),
		(unsigned long long)(fs.free_frames >> (20 - PAGE_SHIFT)),
		(unsigned long long)(hs.bytes_in_use >> 10), (unsigned long long)hs.pages_held,
		(unsigned long long)(shared_frames << (PAGE_SHIFT - 10)));
}
