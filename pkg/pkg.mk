# pkg/pkg.mk: installing for DKMS, man pages, Debian packages.
#
#   make install-dkms   the module's sources and dkms.conf into
#                       $(DESTDIR)/usr/src/iomap-check-$(IOMC_VERSION);
#                       then `dkms install iomap-check/$(IOMC_VERSION)`
#                       builds and installs iomap_check.ko for a kernel
#   make install-man    the man pages
#   make deb            build/deb/iomap-check_*.deb and iomap-check-dkms_*.deb
#                       (dpkg-buildpackage on a copy of the tree), then lintian
#
# The version is the VERSION file's (lib/lib.mk); debian/changelog must
# name the same one: pkg/deb.sh refuses to build when they differ.
DKMS_SRC = $(DESTDIR)/usr/src/iomap-check-$(IOMC_VERSION)
MANDIR ?= $(PREFIX)/share/man
MAN_PAGES := checkd/iomap-checkd.8 analyze/iomap-check.1 vmcheck/iomap-vmcheck.1

.PHONY: install-dkms install-man deb
install: install-man
install-dkms:
	install -D -m 0644 kmod/Kbuild $(DKMS_SRC)/Kbuild
	install -m 0644 kmod/iomap_check.c kmod/iomap_check_trace.h $(DKMS_SRC)/
	install -d $(DKMS_SRC)/include/iomap-check
	install -m 0644 include/iomap-check/*.h $(DKMS_SRC)/include/iomap-check/
	sed 's/#MODULE_VERSION#/$(IOMC_VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	chmod 0644 $(DKMS_SRC)/dkms.conf

install-man:
	@set -e; for m in $(MAN_PAGES); do \
		s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); \
	done

# Built from the files git knows (tracked and new, not ignored) copied to
# build/deb/src: dpkg-buildpackage writes next to the tree it builds. The
# packages are rebuilt only when one of those files changed.
DEB_DIR := $(ABS_BUILD)/deb
deb: deps
	@pkg/deb.sh $(DEB_DIR)
