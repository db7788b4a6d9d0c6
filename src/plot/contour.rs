//! Contour lines of a grid of values (marching squares), for the 0.5 line
//! of a decision boundary.

use ndarray::Array2;
use std::collections::HashMap;

/// A point where the contour crosses a grid edge: `(vertical, row, col)`;
/// a horizontal edge joins `[row, col]` and `[row, col + 1]`, a vertical
/// one `[row, col]` and `[row + 1, col]`.
type EdgeKey = (bool, usize, usize);

/// The lines along which `field` equals `level`, as polylines of
/// `(column, row)` positions in the grid (value `[i, j]` sits at `(j, i)`;
/// positions between values are interpolated linearly). Cells with a
/// non-finite corner are skipped. A closed line ends where it starts.
pub(crate) fn contour(field: &Array2<f32>, level: f32) -> Vec<Vec<(f32, f32)>> {
    let (rows, cols) = field.dim();
    if rows < 2 || cols < 2 {
        return Vec::new();
    }
    let v = |i: usize, j: usize| field[[i, j]] - level;
    let point = |key: EdgeKey| -> (f32, f32) {
        let (vertical, i, j) = key;
        let (a, b) = if vertical {
            (v(i, j), v(i + 1, j))
        } else {
            (v(i, j), v(i, j + 1))
        };
        let t = if a == b { 0.5 } else { a / (a - b) };
        let t = t.clamp(0.0, 1.0);
        if vertical {
            (j as f32, i as f32 + t)
        } else {
            (j as f32 + t, i as f32)
        }
    };
    let mut segments: Vec<(EdgeKey, EdgeKey)> = Vec::new();
    for i in 0..rows - 1 {
        for j in 0..cols - 1 {
            // corners counter-clockwise from the bottom left (row i is
            // the lower one), and the edge after each corner
            let corners = [v(i, j), v(i, j + 1), v(i + 1, j + 1), v(i + 1, j)];
            if corners.iter().any(|c| !c.is_finite()) {
                continue;
            }
            let edges: [EdgeKey; 4] = [
                (false, i, j),
                (true, i, j + 1),
                (false, i + 1, j),
                (true, i, j),
            ];
            let inside = corners.map(|c| c >= 0.0);
            let crossed: Vec<usize> = (0..4)
                .filter(|&e| inside[e] != inside[(e + 1) % 4])
                .collect();
            match crossed.as_slice() {
                [a, b] => segments.push((edges[*a], edges[*b])),
                [_, _, _, _] => {
                    // a saddle: the centre's side decides which corners
                    // the lines cut off
                    let centre = corners.iter().sum::<f32>() / 4.0 >= 0.0;
                    if centre == inside[0] {
                        segments.push((edges[0], edges[1]));
                        segments.push((edges[2], edges[3]));
                    } else {
                        segments.push((edges[3], edges[0]));
                        segments.push((edges[1], edges[2]));
                    }
                }
                _ => {}
            }
        }
    }
    chain(&segments)
        .into_iter()
        .map(|keys| keys.into_iter().map(point).collect())
        .collect()
}

/// Joins segments that share an end into polylines.
fn chain(segments: &[(EdgeKey, EdgeKey)]) -> Vec<Vec<EdgeKey>> {
    let mut at: HashMap<EdgeKey, Vec<usize>> = HashMap::new();
    for (n, (a, b)) in segments.iter().enumerate() {
        at.entry(*a).or_default().push(n);
        at.entry(*b).or_default().push(n);
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    // open lines start at an end that only one segment touches; closed
    // loops are picked up afterwards
    let mut starts: Vec<usize> = (0..segments.len())
        .filter(|&n| {
            let (a, b) = segments[n];
            at[&a].len() == 1 || at[&b].len() == 1
        })
        .collect();
    starts.extend(0..segments.len());
    for first in starts {
        if used[first] {
            continue;
        }
        used[first] = true;
        let (a, b) = segments[first];
        let (start, mut end) = if at[&a].len() == 1 { (a, b) } else { (b, a) };
        let mut line = vec![start, end];
        while let Some(&next) = at[&end].iter().find(|&&n| !used[n]) {
            used[next] = true;
            let (p, q) = segments[next];
            end = if p == end { q } else { p };
            line.push(end);
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_crosses_its_level_on_one_straight_line() {
        let f = Array2::from_shape_fn((5, 4), |(_, j)| j as f32 / 3.0);
        let lines = contour(&f, 0.5);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), 5);
        for &(x, _) in &lines[0] {
            assert!((x - 1.5).abs() < 1e-6, "{x}");
        }
    }

    #[test]
    fn a_bump_gives_one_closed_loop() {
        let f = Array2::from_shape_fn((9, 9), |(i, j)| {
            let (di, dj) = (i as f32 - 4.0, j as f32 - 4.0);
            1.0 - (di * di + dj * dj).sqrt() / 4.0
        });
        let lines = contour(&f, 0.5);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.first(), line.last(), "closed");
        for &(x, y) in line {
            let r = ((x - 4.0).powi(2) + (y - 4.0).powi(2)).sqrt();
            assert!((r - 2.0).abs() < 0.25, "radius {r}");
        }
    }

    #[test]
    fn no_crossing_no_line_and_nan_cells_are_skipped() {
        assert!(contour(&Array2::from_elem((4, 4), 0.9), 0.5).is_empty());
        let mut f = Array2::from_shape_fn((3, 3), |(_, j)| j as f32 / 2.0);
        f[[1, 1]] = f32::NAN;
        assert!(contour(&f, 0.25).is_empty());
    }
}
