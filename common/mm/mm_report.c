/* mm_report: one log line summarizing the frame allocator and the heap. */
#include <keel/mm.h>
#include <keel/printk.h>

void mm_report(void)
{
	struct frame_stats fs;
	struct heap_stats hs;

	frames_get_stats(&fs);
	heap_get_stats(&hs);
	pr_info("mm: frames total %llu MiB, free %llu MiB; heap %llu KiB in use in %llu pages",
		(unsigned long long)(fs.total_frames >> (20 - PAGE_SHIFT)),
		(unsigned long long)(fs.free_frames >> (20 - PAGE_SHIFT)),
		(unsigned long long)(hs.bytes_in_use >> 10), (unsigned long long)hs.pages_held);
}
