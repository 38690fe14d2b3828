/* sysctl (35): the privileged domain reads host facts, the domain list and Keel's log ring. */
#include <keel/arch.h>
#include <keel/cmdline.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/main.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/sysctl.h>

#include "handlers.h"

#define LIST_MAX    256
#define READLOG_MAX 65536
#define READLOG_BUF 512 /* bytes copied per step: the log lock is held only for one */

static long physinfo(struct keel_sysctl_physinfo *p)
{
	struct frame_stats st;

	if (p->pad)
		return -EINVAL;
	heap_shrink(); /* cached empty heap pages count as free */
	frames_get_stats(&st);
	memset(p, 0, sizeof(*p));
	p->nr_cpus = arch_nr_cpus();
	p->total_pages = st.total_frames;
	p->free_pages = st.free_frames;
	strlcpy(p->version, KEEL_VERSION, sizeof(p->version));
	strlcpy(p->cmdline, keel_cmdline, sizeof(p->cmdline));
	return 0;
}

static long domain_list(struct vcpu *v, struct keel_sysctl_domain_list *l)
{
	struct domain *d;
	u32 n = 0;

	if (l->max_entries == 0 || l->max_entries > LIST_MAX || l->pad[0] || l->pad[1] || l->pad[2])
		return -EINVAL;
	d = domain_get_next((int)l->first_domid - 1);
	while (d && n < l->max_entries) {
		struct keel_domain_info i;
		struct domain *next;

		domctl_fill_info(d, &i);
		if (copy_to_guest(v, l->buffer + n * sizeof(i), &i, sizeof(i))) {
			domain_put(d);
			return -EFAULT;
		}
		n++;
		next = domain_get_next(d->id);
		domain_put(d);
		d = next;
	}
	if (d)
		domain_put(d);
	l->nr_entries = n;
	return 0;
}

static long readlog(struct vcpu *v, struct keel_sysctl_readlog *r)
{
	char buf[READLOG_BUF];
	u32 done = 0;

	if (r->size == 0 || r->size > READLOG_MAX || (r->flags & ~KEEL_READLOG_CLEAR))
		return -EINVAL;
	while (done < r->size) {
		u64 pos = r->index;
		size_t n =
		    printk_log_read(&pos, buf, MIN(sizeof(buf), (size_t)(r->size - done)), false);

		if (!n) {
			r->index = pos; /* clamped to the end: where the next read continues */
			break;
		}
		if (copy_to_guest(v, r->buffer + done, buf, n)) {
			if (!done)
				return -EFAULT;
			break; /* a short read: size and index say how far it got */
		}
		r->index = pos;
		done += (u32)n;
	}
	r->size = done;
	if (r->flags & KEEL_READLOG_CLEAR) {
		u64 pos = r->index;

		(void)printk_log_read(&pos, buf, 0, true);
		r->index = pos;
	}
	return 0;
}

static long sysctl(struct vcpu *v, u64 arg, struct keel_sysctl *s)
{
	long rc;

	if (!v->domain->privileged)
		return -EPERM;
	if (copy_from_guest(v, s, arg, sizeof(*s)))
		return -EFAULT;
	if (s->interface_version != KEEL_SYSCTL_VERSION)
		return -EACCES;
	if (s->domain || s->pad[0] || s->pad[1] || s->pad[2])
		return -EINVAL;
	switch (s->cmd) {
	case KEEL_SYSCTL_physinfo:
		rc = physinfo(&s->u.physinfo);
		break;
	case KEEL_SYSCTL_domain_list:
		rc = domain_list(v, &s->u.domain_list);
		break;
	case KEEL_SYSCTL_readlog:
		rc = readlog(v, &s->u.readlog);
		break;
	default:
		return -EINVAL;
	}
	if (!rc && copy_to_guest(v, arg, s, sizeof(*s)))
		rc = -EFAULT;
	return rc;
}

long do_sysctl(struct vcpu *v, const u64 *args)
{
	struct keel_sysctl s;
	long rc;

	s.cmd = 0;
	rc = sysctl(v, args[0], &s);
	if (rc && rc != -EPERM)
		mgmt_log_failure_once(v, HYPERCALL_sysctl, s.cmd < 32 ? s.cmd : 31, rc);
	return rc;
}
