//! Writers of Keras' dataset file formats for the tests: stored zip
//! archives (`.npz`), `.npy` members, and pickles as Python 2's cPickle
//! wrote numpy arrays and CIFAR-10's batches.
#![allow(dead_code)]

pub fn zip_stored(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in members {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let offset = out.len() as u32;
        let fields = |sig: u32, central_entry: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central_entry {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(0u16.to_le_bytes()); // stored
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(crc.sum().to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central_entry {
                h.extend([0u8; 6]); // comment len, disk, internal attrs
                h.extend(0u32.to_le_bytes()); // external attrs
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(fields(0x0403_4b50, false));
        out.extend(data);
        central.extend(fields(0x0201_4b50, true));
    }
    let (cd_off, cd_len, n) = (out.len() as u32, central.len() as u32, members.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_off.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

pub fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

pub fn npy_i64(v: &[i64]) -> Vec<u8> {
    npy(
        "<i8",
        &[v.len()],
        &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>(),
    )
}

pub fn npy_f64(shape: &[usize], v: &[f64]) -> Vec<u8> {
    npy(
        "<f8",
        shape,
        &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>(),
    )
}

/// A pickled int as Python 2's cPickle writes it.
pub fn p_int(out: &mut Vec<u8>, v: i64) {
    match v {
        0..=255 => out.extend([b'K', v as u8]),
        256..=65535 => {
            out.push(b'M');
            out.extend((v as u16).to_le_bytes())
        }
        _ => {
            out.push(b'J');
            out.extend((v as i32).to_le_bytes())
        }
    }
}

pub fn p_str(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() < 256 {
        out.extend([b'U', s.len() as u8]);
    } else {
        out.push(b'T');
        out.extend((s.len() as u32).to_le_bytes());
    }
    out.extend(s);
}

/// `ndarray` reconstruction header up to and including the shape/dtype of
/// the state tuple: `_reconstruct(ndarray, (0,), 'b')` then BUILD's state.
pub fn p_array_start(out: &mut Vec<u8>, shape: &[usize], dtype: &[u8], order: &[u8]) {
    out.extend(b"cnumpy.core.multiarray\n_reconstruct\nq\x01cnumpy\nndarray\nq\x02K\x00\x85q\x03");
    p_str(out, b"b");
    out.extend(b"\x87q\x04Rq\x05(K\x01(");
    for &d in shape {
        p_int(out, d as i64);
    }
    out.extend(b"tcnumpy\ndtype\nq\x06");
    p_str(out, dtype);
    out.extend(b"K\x00K\x01\x87Rq\x07(K\x03");
    p_str(out, order);
    out.extend(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x3ftb\x89");
}

/// An object array of int lists as numpy under Python 2 pickled it.
pub fn pickle_lists(lists: &[Vec<i64>]) -> Vec<u8> {
    let mut out = b"\x80\x02".to_vec();
    p_array_start(&mut out, &[lists.len()], b"O8", b"|");
    out.extend(b"](");
    for l in lists {
        out.extend(b"](");
        for &w in l {
            p_int(&mut out, w);
        }
        out.push(b'e');
    }
    out.extend(b"etb.");
    out
}

pub fn npy_lists(lists: &[Vec<i64>]) -> Vec<u8> {
    npy("|O", &[lists.len()], &pickle_lists(lists))
}

/// A CIFAR-10 batch: a Python 2 pickled dict of str keys.
pub fn cifar_batch(labels: &[i64], data: &[u8]) -> Vec<u8> {
    let mut out = b"\x80\x02}q\x00(".to_vec();
    p_str(&mut out, b"data");
    p_array_start(&mut out, &[labels.len(), 3072], b"u1", b"|");
    p_str(&mut out, data);
    out.extend(b"tb");
    p_str(&mut out, b"labels");
    out.extend(b"](");
    for &l in labels {
        p_int(&mut out, l);
    }
    out.push(b'e');
    p_str(&mut out, b"batch_label");
    p_str(&mut out, b"training batch 1 of 5");
    out.extend(b"u.");
    out
}
