/* Backends' walk of their xenstore directory: every <domid>/<devid> device it holds. */
#include <stdlib.h>
#include "alloc.h"
#include "xenbe_parse.h"
#include "xenbe_scan.h"

void xenbe_free_list(char **list)
{
	char **p;

	for (p = list; p && *p; p++)
		free(*p);
	free(list);
}

void xenbe_scan(const struct xenbe_env *env, const char *root, uint64_t max_domid,
		uint64_t max_devid, void (*found)(void *arg, uint16_t domid, uint32_t devid),
		void *arg)
{
	char **doms = NULL;
	unsigned int nd = 0, i, j;

	if (env->ops->xs_directory(env->priv, root, &doms, &nd))
		return;
	for (i = 0; i < nd; i++) {
		char *path, **devs = NULL;
		unsigned int nv = 0;
		uint64_t domid, devid;

		if (!xenbe_parse_uint(doms[i], max_domid, &domid))
			continue;
		path = xasprintf("%s/%s", root, doms[i]);
		if (env->ops->xs_directory(env->priv, path, &devs, &nv) == 0)
			for (j = 0; j < nv; j++)
				if (xenbe_parse_uint(devs[j], max_devid, &devid))
					found(arg, (uint16_t)domid, (uint32_t)devid);
		free(path);
		xenbe_free_list(devs);
	}
	xenbe_free_list(doms);
}
