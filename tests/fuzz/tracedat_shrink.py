#!/usr/bin/env python3
# Shrink a version 6 trace.dat for the fuzz corpus (tests/fuzz/corpus/tracedat):
# kallsyms cut down to the iomap modules' symbols, no trace_printk formats,
# the per-CPU data moved up (page aligned). How the committed seeds were made
# from a guest capture (build/vm/analyze-6.1/captures/tracedat.bin):
#   trace-cmd split -i tracedat.bin -o part.dat 8.63 8.76
#   trace-cmd convert -i part.dat.1 --file-version 6 --compression none -o v6.dat
#   tracedat_shrink.py v6.dat capture-6.1-v6
#   trace-cmd convert -i capture-6.1-v6 --file-version 7 --compression zstd \
#       -o capture-6.1-v7-zstd
# regress-libtracecmd-segv is capture-6.1-v7-zstd with byte 9502 changed: it
# makes libtracecmd 3.1.6 crash in tracecmd_open_fd().
# The damaged and foreign seeds are made by tests/host/tracedat_edit.py (as
# tests/host/analyze_tracedat.sh makes them), the version 7 ones through
# trace-cmd convert --file-version 7 --compression zstd:
#   damaged-zstd-page     capture-6.1-v7-zstd zstd-flip 1 640
#   unreadable-page-v6    capture-6.1-v6 page-size 1 1
#   foreign-format-vaddr  capture-6.1-v6 rename-field io_mapping_map vaddr vaddx
#   invalid-kind          capture-6.1-v6 set-field io_mapping_map 0 kind 7
#   unknown-event-id      capture-6.1-v6 set-field sched_switch 5 common_type 4711
#
# usage: tracedat_shrink.py IN OUT
import struct,sys
d=bytes(open(sys.argv[1],'rb').read())
out=bytearray()
p=10
assert d[:10]==b'\x17\x08\x44tracing'
p=d.index(b'\0',p)+1
assert d[10:p]==b'6\0'
def skipto(np):
    global p
    out.extend(d[p:np]); p=np
p=0
skipto(d.index(b'\0',10)+1+6)
for name in (b'header_page\0',b'header_event\0'):
    sz,=struct.unpack_from('<Q',d,p+len(name)); skipto(p+len(name)+8+sz)
n,=struct.unpack_from('<I',d,p); skipto(p+4)
for i in range(n):
    sz,=struct.unpack_from('<Q',d,p); skipto(p+8+sz)
ns,=struct.unpack_from('<I',d,p); skipto(p+4)
for i in range(ns):
    skipto(d.index(b'\0',p)+1)
    n,=struct.unpack_from('<I',d,p); skipto(p+4)
    for j in range(n):
        sz,=struct.unpack_from('<Q',d,p); skipto(p+8+sz)
skipto(p)
ksz,=struct.unpack_from('<I',d,p)
kall=d[p+4:p+4+ksz]; p+=4+ksz
keep=b''.join(l+b'\n' for l in kall.split(b'\n') if b'[iomap_scenarios]' in l or b'[iomap_check]' in l)
out+=struct.pack('<I',len(keep))+keep
sz,=struct.unpack_from('<I',d,p); p+=4+sz
out+=struct.pack('<I',0)
sz,=struct.unpack_from('<Q',d,p); skipto(p+8+sz)
cpus,=struct.unpack_from('<I',d,p); skipto(p+4)
while True:
    tag=d[p:p+10]; skipto(p+10)
    if tag==b'options  \0':
        while True:
            oid,=struct.unpack_from('<H',d,p); skipto(p+2)
            if oid==0: break
            assert oid!=3
            osz,=struct.unpack_from('<I',d,p); skipto(p+4+osz)
        continue
    break
assert tag==b'flyrecord\0'
offs=[struct.unpack_from('<QQ',d,p+16*c) for c in range(cpus)]
hdr_end=len(out)+16*cpus
# anything between the cpu table and the data (e.g. the clock) is kept too
first=min(o for o,s in offs)
tail_start=p+16*cpus
tail=d[tail_start:first].rstrip(b'\0')
base=(hdr_end+len(tail)+4095)//4096*4096
delta=first-base
for o,s in offs:
    out+=struct.pack('<QQ',o-delta,s)
out+=tail
# the clock text (if any) sits after the cpu table; data must stay page aligned
end=len(out)
assert end<=base,(end,base)
out+=b'\0'*(base-end)
out+=d[first:]
open(sys.argv[2],'wb').write(out)
print(len(out),file=sys.stderr)
