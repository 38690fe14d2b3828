/* Writes the raw inputs of the LZ4 unit suite (tests/unit/lz4.mk compresses them with `lz4 -l`). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x6b65656c6c7a3421ull; /* fixed seed: the same bytes every build */

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static const char *const words[] = {"keel ",  "hypervisor ", "domain ", "vcpu ",  "page ",
				    "event ", "channel ",    "grant ",	"table ", "the ",
				    "a ",     "of ",	     "\n",	"PVH ",	  "kernel "};

static void put_text(FILE *f, size_t len)
{
	size_t n = 0;

	while (n < len) {
		const char *w = words[rng_next() % (sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w);

		if (wl > len - n)
			wl = len - n;
		fwrite(w, 1, wl, f);
		n += wl;
	}
}

static void put_random(FILE *f, size_t len)
{
	while (len--)
		fputc((int)(rng_next() & 0xff), f);
}

static void put_runs(FILE *f, size_t len)
{
	size_t n = 0;

	while (n < len) {
		size_t run = 1 + rng_next() % 5000;
		int byte = (int)(rng_next() & 0xff);

		if (run > len - n)
			run = len - n;
		for (size_t i = 0; i < run; i++)
			fputc(byte, f);
		n += run;
	}
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

int main(int argc, char **argv)
{
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	f = open_out(argv[1], "empty");
	fclose(f);
	f = open_out(argv[1], "text");
	put_text(f, 3000);
	fclose(f);
	f = open_out(argv[1], "random");
	put_random(f, 70000);
	fclose(f);
	f = open_out(argv[1], "runs");
	put_runs(f, 200000);
	fclose(f);
	/* Over 16 MiB: three legacy blocks, text, random bytes and runs in each. */
	f = open_out(argv[1], "big");
	for (int i = 0; i < 17; i++) {
		put_text(f, 700000);
		put_random(f, 100000);
		put_runs(f, 250001);
	}
	fclose(f);
	return 0;
}
