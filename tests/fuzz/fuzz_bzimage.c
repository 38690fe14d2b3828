/* libFuzzer target for common/loader/bzimage.c: raw images or a patched valid header, then decode. */
#include <keel/bzimage.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <stdlib.h>

#define DECODE_MAX (1u << 20) /* decompress only what claims at most this much */
#define TMPL_SETUP (5 * 512)  /* setup_sects 4 */

static void put_le(u8 *p, u64 v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

/*
 * A valid header (protocol 2.15, setup_sects 4) whose payload is the input itself after
 * @skip bytes, with a payload magic picked by @sel: the decoders then see fuzzed streams.
 */
static u8 *from_template(const u8 *data, size_t size, size_t *img_size)
{
	static const u8 magics[][4] = {{0x1f, 0x8b, 0x08, 0x00}, {0x02, 0x21, 0x4c, 0x18}};
	size_t plen = size - 2, len = TMPL_SETUP + plen;
	u8 *img = calloc(1, len);

	put_le(img + 0x1fe, 0xaa55, 2);
	memcpy(img + 0x202, "HdrS", 4);
	put_le(img + 0x206, 0x20f, 2);
	put_le(img + 0x248, 0, 4);
	put_le(img + 0x24c, plen, 4);
	memcpy(img + TMPL_SETUP, data + 2, plen);
	if (data[0] & 2 && plen >= 4)
		memcpy(img + TMPL_SETUP, magics[(data[0] >> 2) & 1], 4);
	if (data[0] & 0x10) /* header bytes patched by the second input byte */
		img[0x1f1 + data[1] % (0x250 - 0x1f1)] ^= (u8)(data[0] >> 5) | 1;
	*img_size = len;
	return img;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct bzimage_info info;
	char err[BZIMAGE_ERR_MAX];
	size_t img_size;
	u8 *img, *out;
	int rc;

	if (size < 2)
		return 0;
	if (data[0] & 1) {
		img = from_template(data, size, &img_size);
	} else {
		img_size = size - 1;
		img = malloc(img_size);
		memcpy(img, data + 1, img_size);
	}
	rc = bzimage_inspect(img, img_size, &info, err, sizeof(err));
	if (strnlen(err, sizeof(err)) >= sizeof(err) || (rc && !err[0]) ||
	    (rc && rc != -EINVAL && rc != -EOPNOTSUPP))
		abort();
	if (rc == 0) {
		if (!bzimage_detect(img, img_size) || info.payload_off > img_size ||
		    info.payload_len > img_size - info.payload_off || info.kernel_size == 0 ||
		    info.kernel_size > BZIMAGE_MAX_KERNEL || !info.format)
			abort();
		if (info.kernel_size <= DECODE_MAX) {
			/* An exact-size output buffer: ASan sees any write past it. */
			out = malloc(info.kernel_size);
			rc = bzimage_decompress(img, &info, out, NULL, err, sizeof(err));
			if (strnlen(err, sizeof(err)) >= sizeof(err) || (rc && !err[0]))
				abort();
			free(out);
		}
	}
	free(img);
	return 0;
}
