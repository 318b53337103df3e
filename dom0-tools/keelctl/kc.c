/* What every command works with: the hypervisor, xenstore and the output, opened on demand. */
#include "kc.h"

struct hv *kc_hv(struct kc *kc)
{
	if (!kc->hv)
		kc->hv = hv_open_privcmd();
	return kc->hv;
}

struct xs *kc_xs(struct kc *kc)
{
	if (!kc->xs)
		kc->xs = xs_open(kc->xs_path);
	return kc->xs;
}

void kc_close(struct kc *kc)
{
	xs_close(kc->xs);
	kc->xs = NULL;
	hv_close(kc->hv);
	kc->hv = NULL;
}
