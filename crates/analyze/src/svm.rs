//! A small, deterministic linear learner: L2-regularised squared-hinge SVM
//! trained by dual coordinate descent (Hsieh et al. 2008, the LIBLINEAR
//! default), Platt scaling for probabilities, and F1-optimal threshold
//! selection. No randomness beyond a seeded xorshift permutation.

use crate::features::SparseVec;

/// A deterministic xorshift64* generator (seeded; never zero).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Training settings for one binary problem.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SvmParams {
    pub(crate) c_pos: f64,
    pub(crate) c_neg: f64,
    pub(crate) max_epochs: usize,
    pub(crate) eps: f64,
    pub(crate) seed: u64,
}

/// A trained linear scorer: `score = w·x + bias`.
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    pub(crate) w: Vec<f32>,
    pub(crate) bias: f32,
}

impl Linear {
    pub(crate) fn score(&self, x: &SparseVec) -> f32 {
        let mut s = self.bias;
        for &(i, v) in x {
            if let Some(w) = self.w.get(i as usize) {
                s += w * v;
            }
        }
        s
    }
}

/// Trains the squared-hinge SVM on the examples `idx` of `xs`. The bias is a
/// constant feature of value 1 (regularised, as in LIBLINEAR).
pub(crate) fn train(
    xs: &[SparseVec],
    ys: &[bool],
    idx: &[usize],
    dim: usize,
    p: SvmParams,
) -> Linear {
    let mut w = vec![0.0f64; dim];
    let mut b = 0.0f64;
    let n = idx.len();
    let mut alpha = vec![0.0f64; n];
    let diag: Vec<f64> = idx
        .iter()
        .map(|&i| if ys[i] { 0.5 / p.c_pos } else { 0.5 / p.c_neg })
        .collect();
    let qd: Vec<f64> = idx
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            xs[i]
                .iter()
                .map(|&(_, v)| f64::from(v) * f64::from(v))
                .sum::<f64>()
                + 1.0
                + diag[k]
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(p.seed);
    for _epoch in 0..p.max_epochs {
        rng.shuffle(&mut order);
        let mut pg_max = f64::NEG_INFINITY;
        let mut pg_min = f64::INFINITY;
        for &k in &order {
            let i = idx[k];
            let y = if ys[i] { 1.0 } else { -1.0 };
            let mut wx = b;
            for &(j, v) in &xs[i] {
                wx += w[j as usize] * f64::from(v);
            }
            let g = y * wx - 1.0 + diag[k] * alpha[k];
            let pg = if alpha[k] == 0.0 { g.min(0.0) } else { g };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[k];
                alpha[k] = (old - g / qd[k]).max(0.0);
                let d = (alpha[k] - old) * y;
                for &(j, v) in &xs[i] {
                    w[j as usize] += d * f64::from(v);
                }
                b += d;
            }
        }
        if pg_max - pg_min < p.eps {
            break;
        }
    }
    Linear {
        w: w.iter().map(|&x| x as f32).collect(),
        bias: b as f32,
    }
}

/// The threshold on scores that maximises F1 on `(score, label)` pairs
/// among the cut points whose precision is at least `min_precision` (all
/// cut points when none reaches it), placed halfway between the chosen score
/// and the next lower one. Returns `(threshold, f1)`; with no positives the
/// threshold is 0.
pub(crate) fn best_threshold(pairs: &[(f32, bool)], min_precision: f32) -> (f32, f32) {
    let total_pos = pairs.iter().filter(|p| p.1).count();
    if total_pos == 0 {
        return (0.0, 0.0);
    }
    let mut sorted: Vec<(f32, bool)> = pairs.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut tp = 0usize;
    // Best cut overall and best cut meeting the precision floor.
    let mut best = (0.0f32, -1.0f32);
    let mut best_precise = (0.0f32, -1.0f32);
    for k in 0..sorted.len() {
        if sorted[k].1 {
            tp += 1;
        }
        // Only cut between distinct scores.
        if k + 1 < sorted.len() && sorted[k + 1].0 == sorted[k].0 {
            continue;
        }
        let predicted = k + 1;
        let f1 = 2.0 * tp as f32 / (predicted + total_pos) as f32;
        let lower = sorted.get(k + 1).map_or(sorted[k].0 - 1.0, |x| x.0);
        let cut = ((sorted[k].0 + lower) / 2.0, f1);
        if f1 > best.1 {
            best = cut;
        }
        if f1 > best_precise.1 && tp as f32 >= min_precision * predicted as f32 {
            best_precise = cut;
        }
    }
    if best_precise.1 > 0.0 {
        best_precise
    } else {
        best
    }
}

/// Platt scaling: fits `p = 1 / (1 + exp(-(a·s + b)))` to `(score, label)`
/// pairs by Newton's method with Platt's smoothed targets. Returns `(a, b)`.
pub(crate) fn platt(pairs: &[(f32, bool)]) -> (f32, f32) {
    let pos = pairs.iter().filter(|p| p.1).count() as f64;
    let neg = pairs.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return (1.0, 0.0);
    }
    let hi = (pos + 1.0) / (pos + 2.0);
    let lo = 1.0 / (neg + 2.0);
    let (mut a, mut b) = (1.0f64, -((neg + 1.0) / (pos + 1.0)).ln());
    let nll = |a: f64, b: f64| -> f64 {
        pairs
            .iter()
            .map(|&(s, y)| {
                let t = if y { hi } else { lo };
                let z = a * f64::from(s) + b;
                // log(1+exp(z)) - t*z, computed stably
                let l = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                l - t * z
            })
            .sum()
    };
    let mut f = nll(a, b);
    for _ in 0..100 {
        let (mut g1, mut g2, mut h11, mut h22, mut h21) = (0.0, 0.0, 1e-12, 1e-12, 0.0);
        for &(s, y) in pairs {
            let s = f64::from(s);
            let t = if y { hi } else { lo };
            let z = a * s + b;
            let p = 1.0 / (1.0 + (-z).exp());
            let d1 = p - t;
            let d2 = p * (1.0 - p);
            g1 += s * d1;
            g2 += d1;
            h11 += s * s * d2;
            h22 += d2;
            h21 += s * d2;
        }
        if g1.abs() < 1e-7 && g2.abs() < 1e-7 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        if det.abs() < 1e-18 {
            break;
        }
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let mut step = 1.0;
        let mut improved = false;
        while step > 1e-8 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = nll(na, nb);
            if nf < f - 1e-4 * step * (g1 * da + g2 * db).abs().max(0.0) || nf < f {
                a = na;
                b = nb;
                f = nf;
                improved = true;
                break;
            }
            step /= 2.0;
        }
        if !improved {
            break;
        }
    }
    (a as f32, b as f32)
}

/// The logistic function.
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_problem_is_learned() {
        let xs: Vec<SparseVec> = vec![
            vec![(0, 1.0)],
            vec![(0, 0.9), (2, 0.1)],
            vec![(1, 1.0)],
            vec![(1, 0.8), (2, 0.2)],
        ];
        let ys = [true, true, false, false];
        let p = SvmParams {
            c_pos: 1.0,
            c_neg: 1.0,
            max_epochs: 200,
            eps: 1e-3,
            seed: 7,
        };
        let m = train(&xs, &ys, &[0, 1, 2, 3], 3, p);
        assert!(m.score(&xs[0]) > 0.0 && m.score(&xs[1]) > 0.0);
        assert!(m.score(&xs[2]) < 0.0 && m.score(&xs[3]) < 0.0);
        let m2 = train(&xs, &ys, &[0, 1, 2, 3], 3, p);
        assert_eq!(m.w, m2.w);
    }

    #[test]
    fn threshold_and_platt() {
        let pairs = [
            (2.0, true),
            (1.0, true),
            (0.5, false),
            (-1.0, false),
            (0.2, true),
        ];
        let (t, f1) = best_threshold(&pairs, 0.0);
        assert!((f1 - 1.0).abs() > 0.0 && f1 > 0.8);
        assert!(t < 0.5 && t > -1.0, "{t}");
        let (a, b) = platt(&pairs);
        assert!(a > 0.0, "{a} {b}");
        assert!(sigmoid(a * 2.0 + b) > sigmoid(b - a));
        assert_eq!(best_threshold(&[(1.0, false)], 0.0), (0.0, 0.0));
        // A precision floor moves the cut up to the all-positive prefix.
        let (t, _) = best_threshold(&pairs, 0.9);
        assert!(t > 0.5 && t < 1.0, "{t}");
    }
}
