/* Reply-code and enhanced-status-code tables; enhanced code syntax. */
#include "smtpp/smtpp.h"

#include <string.h>

/* ---- Basic reply codes ------------------------------------------------- */

static const smtpp_code_row code_rows[] = {
#define SMTPP_X_(name, code, text) { code, "SMTPP_R_" #name, text },
    SMTPP_REPLY_CODE_MAP(SMTPP_X_)
#undef SMTPP_X_
};
#define NCODES (sizeof code_rows / sizeof code_rows[0])

const smtpp_code_row *smtpp_code_lookup(int code)
{
    size_t lo = 0, hi = NCODES;
    while (lo < hi) { /* the map is in ascending order */
        size_t mid = lo + (hi - lo) / 2;
        if (code_rows[mid].code == code)
            return &code_rows[mid];
        if (code_rows[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *smtpp_code_text(int code)
{
    const smtpp_code_row *r = smtpp_code_lookup(code);
    return r ? r->text : NULL;
}

const smtpp_code_row *smtpp_code_at(size_t i)
{
    return i < NCODES ? &code_rows[i] : NULL;
}

/* ---- Enhanced status codes --------------------------------------------- */

static const smtpp_enhanced_row enh_rows[] = {
#define SMTPP_X_(name, subj, det, title, ref) { subj, det, "SMTPP_ES_" #name, title, ref },
    SMTPP_ENHANCED_MAP(SMTPP_X_)
#undef SMTPP_X_
};
#define NENH (sizeof enh_rows / sizeof enh_rows[0])

const smtpp_enhanced_row *smtpp_enhanced_lookup(unsigned subject, unsigned detail)
{
    size_t lo = 0, hi = NENH;
    unsigned key = subject * 1000u + detail;
    if (subject > 999 || detail > 999)
        return NULL;
    while (lo < hi) { /* ascending subject, detail */
        size_t mid = lo + (hi - lo) / 2;
        unsigned k = enh_rows[mid].subject * 1000u + enh_rows[mid].detail;
        if (k == key)
            return &enh_rows[mid];
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *smtpp_enhanced_title(smtpp_enhanced e)
{
    const smtpp_enhanced_row *r;
    if (!smtpp_enhanced_valid(e))
        return NULL;
    r = smtpp_enhanced_lookup(e.subject, e.detail);
    return r ? r->title : NULL;
}

const smtpp_enhanced_row *smtpp_enhanced_at(size_t i)
{
    return i < NENH ? &enh_rows[i] : NULL;
}

smtpp_enhanced smtpp_status_make(int cls, smtpp_status st)
{
    smtpp_enhanced e = { 0, 0, 0 };
    if ((cls == 2 || cls == 4 || cls == 5) && st >= 0 && st <= 999999) {
        e.cls = (uint16_t)cls;
        e.subject = (uint16_t)(st / 1000);
        e.detail = (uint16_t)(st % 1000);
    }
    return e;
}

const char *smtpp_enhanced_class_text(unsigned cls)
{
    switch (cls) {
    case 2: return "Success";
    case 4: return "Persistent transient failure";
    case 5: return "Permanent failure";
    default: return NULL;
    }
}

const char *smtpp_enhanced_subject_text(unsigned subject)
{
    static const char *const subjects[] = {
        "Other or undefined status",
        "Addressing status",
        "Mailbox status",
        "Mail system status",
        "Network and routing status",
        "Mail delivery protocol status",
        "Message content or media status",
        "Security or policy status",
    };
    return subject < 8 ? subjects[subject] : NULL;
}

int smtpp_enhanced_valid(smtpp_enhanced e)
{
    return (e.cls == 2 || e.cls == 4 || e.cls == 5) && e.subject <= 999 && e.detail <= 999;
}

/* One field: 1 to 3 digits, no leading zero unless the field is "0".
 * Returns the digits used, 0 if malformed. */
static size_t enh_field(const char *s, size_t n, uint16_t *v)
{
    size_t i = 0;
    unsigned x = 0;
    while (i < n && i < 4 && s[i] >= '0' && s[i] <= '9') {
        x = x * 10 + (unsigned)(s[i] - '0');
        i++;
    }
    if (i == 0 || i > 3 || (i > 1 && s[0] == '0'))
        return 0;
    *v = (uint16_t)x;
    return i;
}

size_t smtpp_enhanced_parse(const char *s, size_t n, smtpp_enhanced *out)
{
    smtpp_enhanced e = { 0, 0, 0 };
    size_t i, k;
    memset(out, 0, sizeof *out);
    if (s == NULL || n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
        return 0;
    e.cls = (uint16_t)(s[0] - '0');
    i = 2;
    k = enh_field(s + i, n - i, &e.subject);
    if (k == 0)
        return 0;
    i += k;
    if (i >= n || s[i] != '.')
        return 0;
    i++;
    k = enh_field(s + i, n - i, &e.detail);
    if (k == 0)
        return 0;
    i += k;
    *out = e;
    return i;
}

int smtpp_enhanced_format(smtpp_enhanced e, char *dst, size_t cap)
{
    char tmp[SMTPP_ENHANCED_MAX];
    size_t n = 0;
    unsigned f[2];
    int j;
    if (!smtpp_enhanced_valid(e))
        return -1;
    f[0] = e.subject;
    f[1] = e.detail;
    tmp[n++] = (char)('0' + e.cls);
    for (j = 0; j < 2; j++) {
        tmp[n++] = '.';
        if (f[j] >= 100)
            tmp[n++] = (char)('0' + f[j] / 100);
        if (f[j] >= 10)
            tmp[n++] = (char)('0' + f[j] / 10 % 10);
        tmp[n++] = (char)('0' + f[j] % 10);
    }
    if (cap > 0) {
        size_t c = n < cap - 1 ? n : cap - 1;
        memcpy(dst, tmp, c);
        dst[c] = '\0';
    }
    return (int)n;
}
