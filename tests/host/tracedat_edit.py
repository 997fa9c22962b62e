#!/usr/bin/env python3
# Damage a real trace.dat deterministically, for the analyzer's tests
# (tests/host/analyze_tracedat.sh) and its fuzz corpus (tests/fuzz/corpus/
# tracedat). The inputs are the committed captures, made as
# tests/fuzz/tracedat_shrink.py says.
#
# usage: tracedat_edit.py IN OUT ACTION [ARGS]
#   zstd-flip CPU POS      compressed (version 7) file: flip the bits of the
#                          byte POS bytes into CPU's first zstd chunk
#   page-size CPU PAGE     version 6: page PAGE (0-based) of CPU gets a size
#                          larger than a page in its header
#   rename-field EVENT OLD NEW   version 6: the field OLD of EVENT's format
#                          is called NEW (same length)
#   rename-event EVENT NEW       version 6: EVENT is called NEW (same length)
#   drop-field EVENT FIELD       version 6: EVENT's format loses FIELD
#   set-field EVENT N FIELD VALUE   version 6: the Nth EVENT record (0-based,
#                          CPU by CPU) gets VALUE in FIELD (common_type too)
import struct, sys


def v6_layout(d):
    """The format texts (offset of each event's size word), the per-CPU
    data table and the page size of a version 6 file (walked as
    tracedat_shrink.py walks it)."""
    assert d[:10] == b'\x17\x08\x44tracing', 'not a trace.dat'
    p = d.index(b'\0', 10) + 1
    assert d[10:p] == b'6\0', 'not version 6'
    page_size, = struct.unpack_from('<I', d, p + 2)
    p += 6                              # endian, long size, page size
    for name in (b'header_page\0', b'header_event\0'):
        sz, = struct.unpack_from('<Q', d, p + len(name))
        p += len(name) + 8 + sz
    fmts = []
    n, = struct.unpack_from('<I', d, p)     # ftrace events
    p += 4
    for _ in range(n):
        sz, = struct.unpack_from('<Q', d, p)
        fmts.append(p)
        p += 8 + sz
    ns, = struct.unpack_from('<I', d, p)    # event systems
    p += 4
    for _ in range(ns):
        p = d.index(b'\0', p) + 1
        n, = struct.unpack_from('<I', d, p)
        p += 4
        for _ in range(n):
            sz, = struct.unpack_from('<Q', d, p)
            fmts.append(p)
            p += 8 + sz
    ksz, = struct.unpack_from('<I', d, p)   # kallsyms
    p += 4 + ksz
    sz, = struct.unpack_from('<I', d, p)    # printk formats
    p += 4 + sz
    sz, = struct.unpack_from('<Q', d, p)    # command lines
    p += 8 + sz
    cpus, = struct.unpack_from('<I', d, p)
    p += 4
    while True:
        tag = d[p:p + 10]
        p += 10
        if tag != b'options  \0':
            break
        while True:
            oid, = struct.unpack_from('<H', d, p)
            p += 2
            if oid == 0:
                break
            osz, = struct.unpack_from('<I', d, p)
            p += 4 + osz
    assert tag == b'flyrecord\0', tag
    table = [struct.unpack_from('<QQ', d, p + 16 * c) for c in range(cpus)]
    return fmts, table, page_size


def event_format(d, fmts, event):
    for p in fmts:
        sz, = struct.unpack_from('<Q', d, p)
        text = bytes(d[p + 8:p + 8 + sz])
        if text.startswith(b'name: %s\n' % event):
            return p, text
    sys.exit('tracedat_edit: no format for %s' % event.decode())


def event_id(d, fmts, event):
    _, text = event_format(d, fmts, event)
    return int(text.split(b'\n')[1].split(b':')[1])


def field_at(text, field):
    """(offset, size) of a field in a format text."""
    for line in text.split(b'\n'):
        if line.strip().startswith(b'field:') and line.split(b';')[0].endswith(b' ' + field):
            return (int(line.split(b'offset:')[1].split(b';')[0]),
                    int(line.split(b'size:')[1].split(b';')[0]))
    sys.exit('tracedat_edit: no field %s' % field.decode())


def records(d, start, size, page_size):
    """(file offset of the data, its length) of each record of a CPU."""
    for page in range(start, start + size, page_size):
        commit, = struct.unpack_from('<Q', d, page + 8)
        commit &= (1 << 27) - 1            # the flag bits are above
        p, end = page + 16, page + 16 + commit
        while p < end:
            h, = struct.unpack_from('<I', d, p)
            tl = h & 0x1f
            if tl == 0:
                ln, = struct.unpack_from('<I', d, p + 4)
                yield p + 8, ln - 4
                p += 4 + ln
            elif tl <= 28:
                yield p + 4, tl * 4
                p += 4 + tl * 4
            elif tl == 29:                 # padding
                ln, = struct.unpack_from('<I', d, p + 4)
                p += 4 + ln if ln else end - p
            else:                          # time extend / stamp
                p += 8


def main():
    src, out, action = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    d = bytearray(open(src, 'rb').read())
    if action == 'zstd-flip':
        cpu, pos = int(args[0]), int(args[1])
        # each CPU's data starts on a page: chunk count, then per chunk its
        # compressed and uncompressed sizes and a zstd frame
        starts = [p for p in range(0, len(d) - 16, 4096)
                  if d[p + 12:p + 16] == b'\x28\xb5\x2f\xfd']
        assert cpu < len(starts), starts
        d[starts[cpu] + 12 + pos] ^= 0xff
    elif action == 'page-size':
        cpu, page = int(args[0]), int(args[1])
        _, table, ps = v6_layout(d)
        struct.pack_into('<Q', d, table[cpu][0] + ps * page + 8, 0x10000)
    elif action in ('rename-field', 'rename-event', 'drop-field'):
        fmts, _, _ = v6_layout(d)
        event = args[0].encode()
        p, text = event_format(d, fmts, event)
        if action == 'rename-event':
            new = text.replace(b'name: %s\n' % event, b'name: %s\n' % args[1].encode(), 1)
        else:
            lines = text.split(b'\n')
            field = args[1].encode()
            hit = [i for i, l in enumerate(lines)
                   if l.strip().startswith(b'field:') and l.split(b';')[0].endswith(b' ' + field)]
            assert len(hit) == 1, hit
            if action == 'rename-field':
                lines[hit[0]] = lines[hit[0]].replace(b' %s;' % field, b' %s;' % args[2].encode())
            else:
                del lines[hit[0]]
            new = b'\n'.join(lines)
        # the CPU data keeps its (absolute, page aligned) offsets: the zero
        # padding before it takes up the difference in length
        delta = len(new) - len(text)
        _, table, _ = v6_layout(d)
        first = min(o for o, s in table) + delta
        d[p:p + 8 + len(text)] = struct.pack('<Q', len(new)) + new
        if delta < 0:
            d[first:first] = b'\0' * -delta
        elif delta:
            assert d[first - delta:first] == b'\0' * delta
            del d[first - delta:first]
    elif action == 'set-field':
        event, n, field, value = args[0].encode(), int(args[1]), args[2].encode(), int(args[3])
        fmts, table, ps = v6_layout(d)
        eid = event_id(d, fmts, event)
        _, text = event_format(d, fmts, event)
        off, size = field_at(text, field)
        found = [p for o, s in table for p, ln in records(d, o, s, ps)
                 if struct.unpack_from('<H', d, p)[0] == eid]
        assert n < len(found), len(found)
        d[found[n] + off:found[n] + off + size] = value.to_bytes(size, 'little')
    else:
        sys.exit('tracedat_edit: unknown action %s' % action)
    open(out, 'wb').write(d)


if __name__ == '__main__':
    main()
