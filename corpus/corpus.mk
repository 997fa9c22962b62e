# corpus/corpus.mk: the corpus of real drivers (issue 20; docs/corpus.md).
#
#   make corpus [CORPUS='ENTRY[/CASE] ...'] [CORPUS_KERNELS='6.1-generic ...']
#                every case of every entry (or those named), on each kernel
#                (default 6.1-generic 6.12-generic): Debian's linux-source for that kernel
#                is fetched and unpacked once under $(BUILD)/corpus/src, each
#                driver built from it unchanged (or mutated by its case's
#                patch), booted with its device under iomap-vmcheck; one
#                `corpus: ...` line per case, exit non-zero if one failed
#
# make check runs a reduced corpus (CORPUS_CHECK): qxl built unchanged from
# linux-source, one boot on the generic kernel of KERNEL's series (about
# 45 s of guest time; its build is cached under $(BUILD)/corpus).
# Included after vmcheck/vmcheck.mk (GENERIC_KERNEL).

CORPUS ?=
CORPUS_KERNELS ?= 6.1-generic 6.12-generic
CORPUS_CHECK ?= qxl/clean

.PHONY: corpus corpus-kmod corpus-kmod-check
corpus: deps daemon corpus-kmod
	@CORPUS_KERNELS='$(CORPUS_KERNELS)' IOMC_CHECKD=$(CHECKD_BIN) corpus/run $(CORPUS)

HOST_SUITES += tests/host/corpus.sh
GUEST_SUITES += 'corpus/run --ktap --kernels $(GENERIC_KERNEL) $(CORPUS_CHECK)'

# iomap_check.ko for each kernel the corpus boots, rebuilt when kmod/ or
# include/ changed: iomap-vmcheck builds it only when it is missing, and a
# stale one fails the drivers' modpost (a symbol the new drop-in header
# wants, e.g. __iomc_checks_key) or checks with old code.
corpus-kmod: deps
	@set -e; for k in $(CORPUS_KERNELS); do $(MAKE) --no-print-directory kmod KERNEL=$$k; done
corpus-kmod-check: deps
	@$(MAKE) --no-print-directory kmod KERNEL=$(GENERIC_KERNEL)
CHECK_DEPS += corpus-kmod-check
