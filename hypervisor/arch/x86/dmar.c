/* The ACPI DMAR table: remapping units, device scopes, RMRRs and ATSRs, every length checked. */
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/vtd.h>

#define DMAR_HDR_LEN 48		/* ACPI header, HAW, flags, reserved */
#define DMAR_DRHD 0
#define DMAR_RMRR 1
#define DMAR_ATSR 2
#define DRHD_LEN 16
#define RMRR_LEN 24
#define ATSR_LEN 8
#define SCOPE_LEN 6		/* then (device, function) pairs */
#define DRHD_INCLUDE_PCI_ALL BIT(0)
#define ATSR_ALL_PORTS BIT(0)

static u16 get16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static u64 get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Walk one scope's path through bridges to its source-id. 1 when stored,
 * 0 when the device is absent or of a type keel ignores, -EINVAL if bad.
 */
static int parse_scope(const u8 *s, u16 seg, struct dmar_scope *out)
{
	unsigned int len = s[1], bus;

	if (len < SCOPE_LEN + 2 || (len - SCOPE_LEN) % 2) {
		pr_warn("dmar: device scope of %u bytes\n", len);
		return -EINVAL;
	}
	bus = s[5];	/* only now known to be inside the scope */
	for (unsigned int i = SCOPE_LEN; i < len; i += 2) {
		u8 dev = s[i], fn = s[i + 1];
		int next;

		if (dev > 31 || fn > 7) {
			pr_warn("dmar: device scope names device %u function %u\n",
				dev, fn);
			return -EINVAL;
		}
		if (i + 2 == len) {
			out->sid = bus << 8 | dev << 3 | fn;
			break;
		}
		next = dmar_bridge_bus(seg, bus, dev << 3 | fn);
		if (next < 0) {
			pr_warn("dmar: scope path: no bridge at %04x:%02x:%02x.%u; skipped\n",
				seg, bus, dev, fn);
			return 0;
		}
		bus = next;
	}
	if (s[0] < DMAR_SCOPE_ENDPOINT || s[0] > DMAR_SCOPE_HPET)
		return 0;
	out->type = s[0];
	out->enum_id = s[4];
	return 1;
}

/* The scopes in [p, end) into @scopes (room for DMAR_MAX_SCOPES). */
static int parse_scopes(const u8 *p, const u8 *end, u16 seg,
			struct dmar_scope *scopes, unsigned int *nr)
{
	*nr = 0;
	while (p < end) {
		int rc;

		if (end - p < 2 || p[1] < 2 || p[1] > end - p) {
			pr_warn("dmar: device scope runs past its structure\n");
			return -EINVAL;
		}
		if (*nr == DMAR_MAX_SCOPES) {
			pr_warn("dmar: more than %u device scopes in a structure\n",
				DMAR_MAX_SCOPES);
			return -EINVAL;
		}
		rc = parse_scope(p, seg, &scopes[*nr]);
		if (rc < 0)
			return rc;
		*nr += rc;
		p += p[1];
	}
	return 0;
}

static int parse_drhd(const u8 *p, unsigned int len, struct dmar_info *out)
{
	struct dmar_unit *u;
	u16 seg = get16(p + 6);

	if (out->nr_units == DMAR_MAX_UNITS) {
		pr_warn("dmar: more than %u remapping units\n", DMAR_MAX_UNITS);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < out->nr_units; i++) {
		if (out->units[i].segment == seg && out->units[i].include_all) {
			pr_warn("dmar: a unit follows segment %u's INCLUDE_PCI_ALL unit\n",
				seg);
			return -EINVAL;
		}
	}
	u = &out->units[out->nr_units];
	u->base = get64(p + 8);
	u->segment = seg;
	u->include_all = p[4] & DRHD_INCLUDE_PCI_ALL;
	u->size_log2 = p[5] & 0xf;
	if (!u->base || !IS_ALIGNED(u->base, 4096)) {
		pr_warn("dmar: unit register base %#llx\n",
			(unsigned long long)u->base);
		return -EINVAL;
	}
	out->nr_units++;
	return parse_scopes(p + DRHD_LEN, p + len, seg, u->scopes, &u->nr_scopes);
}

static int parse_rmrr(const u8 *p, unsigned int len, struct dmar_info *out)
{
	struct dmar_rmrr *r;

	if (out->nr_rmrrs == DMAR_MAX_RMRRS) {
		pr_warn("dmar: more than %u RMRRs\n", DMAR_MAX_RMRRS);
		return -EINVAL;
	}
	r = &out->rmrrs[out->nr_rmrrs++];
	r->segment = get16(p + 6);
	r->base = get64(p + 8);
	r->limit = get64(p + 16);
	if (r->base > r->limit || !IS_ALIGNED(r->base, 4096) ||
	    !IS_ALIGNED(r->limit + 1, 4096)) {
		pr_warn("dmar: RMRR %#llx-%#llx\n", (unsigned long long)r->base,
			(unsigned long long)r->limit);
		return -EINVAL;
	}
	return parse_scopes(p + RMRR_LEN, p + len, r->segment, r->scopes,
			    &r->nr_scopes);
}

static int parse_atsr(const u8 *p, struct dmar_info *out)
{
	if (out->nr_atsrs == DMAR_MAX_ATSRS) {
		pr_warn("dmar: more than %u ATSRs\n", DMAR_MAX_ATSRS);
		return -EINVAL;
	}
	out->atsrs[out->nr_atsrs++] = (struct dmar_atsr){
		get16(p + 6), p[4] & ATSR_ALL_PORTS };
	return 0;
}

int dmar_parse(const void *table, size_t len, struct dmar_info *out)
{
	static const unsigned int min_len[] = { DRHD_LEN, RMRR_LEN, ATSR_LEN };
	const u8 *t = table;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len < DMAR_HDR_LEN || memcmp(t, "DMAR", 4) ||
	    (t[4] | t[5] << 8 | t[6] << 16 | (u32)t[7] << 24) != len) {
		pr_warn("dmar: table header of %zu bytes\n", len);
		return -EINVAL;
	}
	if (t[36] < 31 || t[36] > 63) {
		pr_warn("dmar: host address width %u\n", t[36] + 1);
		return -EINVAL;
	}
	out->haw = t[36] + 1;
	out->flags = t[37];
	for (size_t off = DMAR_HDR_LEN; off < len && !rc; ) {
		const u8 *p = t + off;
		unsigned int type = len - off < 4 ? 0 : get16(p);
		unsigned int slen = len - off < 4 ? 0 : get16(p + 2);

		if (slen < 4 || slen > len - off ||
		    (type < ARRAY_SIZE(min_len) && slen < min_len[type])) {
			pr_warn("dmar: structure at offset %zu is truncated or has a bad length\n",
				off);
			return -EINVAL;
		}
		if (type == DMAR_DRHD)
			rc = parse_drhd(p, slen, out);
		else if (type == DMAR_RMRR)
			rc = parse_rmrr(p, slen, out);
		else if (type == DMAR_ATSR)
			rc = parse_atsr(p, out);
		off += slen;
	}
	if (!rc && !out->nr_units) {
		pr_warn("dmar: no remapping unit\n");
		rc = -EINVAL;
	}
	return rc;
}
