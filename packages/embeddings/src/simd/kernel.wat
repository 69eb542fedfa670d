;; The word2vec training step of @emr-re/embeddings as WebAssembly with 128-bit SIMD (f32x4): one call
;; trains one sentence, skip-gram or CBOW with negative sampling. It is the same algorithm as the
;; typed-array kernel in ../kernel.ts (same xorshift32 RNG stream, same window shrinking, same noise
;; table, same sigmoid table), so that on one thread both give the same vectors up to float rounding.
;; What differs is precision: rows and the gradient accumulator are f32 here (f64 in the JS kernel),
;; the step size g is computed in f64 as there.
;;
;; The memory is imported and shared: several worker threads instantiate this module on one memory and
;; update syn0/syn1 without locks (Hogwild). Every address is a byte offset passed in by the caller
;; (src/simd/wasm-kernel.ts lays the memory out); each thread has its own scratch (sentence, hidden
;; vector, gradient, noise targets, loss). The loss globals are per instance, hence per thread.
;;
;; Assembled by scripts/build-simd-kernel.js (wabt) into src/simd/kernel-wasm.ts; edit this file, then
;; run that script.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Sum of -log sigma over this call's (input, output) pairs, and their number.
  (global $loss_sum (mut f64) (f64.const 0))
  (global $loss_terms (mut f64) (f64.const 0))

  ;; xorshift32, as kernel.ts: r ^= r << 13; r ^= r >>> 17; r ^= r << 5.
  (func $xorshift (param $r i32) (result i32)
    (local.set $r (i32.xor (local.get $r) (i32.shl (local.get $r) (i32.const 13))))
    (local.set $r (i32.xor (local.get $r) (i32.shr_u (local.get $r) (i32.const 17))))
    (i32.xor (local.get $r) (i32.shl (local.get $r) (i32.const 5))))

  ;; Dot product of the f32 rows at $a and $b, $n values. Four accumulators break the add-latency chain.
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $end16 i32) (local $end4 i32) (local $end i32) (local $sum f32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (block $done16
      (loop $next16
        (br_if $done16 (i32.ge_u (local.get $a) (local.get $end16)))
        (local.set $s0 (f32x4.add (local.get $s0)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $s1 (f32x4.add (local.get $s1)
          (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $s2 (f32x4.add (local.get $s2)
          (f32x4.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
        (local.set $s3 (f32x4.add (local.get $s3)
          (f32x4.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (br $next16)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $a) (local.get $end4)))
        (local.set $s0 (f32x4.add (local.get $s0)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $next4)))
    (local.set $s0 (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) (f32x4.add (local.get $s2) (local.get $s3))))
    (local.set $sum (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
      (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $next)))
    (local.get $sum))

  ;; The gradient step of one (input, output) pair: grad (+)= g * out, then out += g * input; $n values.
  ;; $first sets grad instead of adding to it (the first output of a pair), which saves zeroing it.
  (func $step (param $grad i32) (param $out i32) (param $in i32) (param $g f32) (param $n i32) (param $first i32)
    (local $gv v128) (local $o0 v128) (local $o1 v128) (local $end8 i32) (local $end4 i32) (local $end i32)
    (local $o f32)
    (local.set $gv (f32x4.splat (local.get $g)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $end8 (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (if (local.get $first)
      (then
        (block $done8
          (loop $next8
            (br_if $done8 (i32.ge_u (local.get $out) (local.get $end8)))
            (local.set $o0 (v128.load (local.get $out)))
            (local.set $o1 (v128.load offset=16 (local.get $out)))
            (v128.store (local.get $grad) (f32x4.mul (local.get $gv) (local.get $o0)))
            (v128.store offset=16 (local.get $grad) (f32x4.mul (local.get $gv) (local.get $o1)))
            (v128.store (local.get $out)
              (f32x4.add (local.get $o0) (f32x4.mul (local.get $gv) (v128.load (local.get $in)))))
            (v128.store offset=16 (local.get $out)
              (f32x4.add (local.get $o1) (f32x4.mul (local.get $gv) (v128.load offset=16 (local.get $in)))))
            (local.set $grad (i32.add (local.get $grad) (i32.const 32)))
            (local.set $out (i32.add (local.get $out) (i32.const 32)))
            (local.set $in (i32.add (local.get $in) (i32.const 32)))
            (br $next8))))
      (else
        (block $done8
          (loop $next8
            (br_if $done8 (i32.ge_u (local.get $out) (local.get $end8)))
            (local.set $o0 (v128.load (local.get $out)))
            (local.set $o1 (v128.load offset=16 (local.get $out)))
            (v128.store (local.get $grad)
              (f32x4.add (v128.load (local.get $grad)) (f32x4.mul (local.get $gv) (local.get $o0))))
            (v128.store offset=16 (local.get $grad)
              (f32x4.add (v128.load offset=16 (local.get $grad)) (f32x4.mul (local.get $gv) (local.get $o1))))
            (v128.store (local.get $out)
              (f32x4.add (local.get $o0) (f32x4.mul (local.get $gv) (v128.load (local.get $in)))))
            (v128.store offset=16 (local.get $out)
              (f32x4.add (local.get $o1) (f32x4.mul (local.get $gv) (v128.load offset=16 (local.get $in)))))
            (local.set $grad (i32.add (local.get $grad) (i32.const 32)))
            (local.set $out (i32.add (local.get $out) (i32.const 32)))
            (local.set $in (i32.add (local.get $in) (i32.const 32)))
            (br $next8)))))
    ;; at most one more group of four, then single values
    (if (i32.lt_u (local.get $out) (local.get $end4))
      (then
        (local.set $o0 (v128.load (local.get $out)))
        (v128.store (local.get $grad)
          (f32x4.add
            (if (result v128) (local.get $first) (then (v128.const i32x4 0 0 0 0)) (else (v128.load (local.get $grad))))
            (f32x4.mul (local.get $gv) (local.get $o0))))
        (v128.store (local.get $out)
          (f32x4.add (local.get $o0) (f32x4.mul (local.get $gv) (v128.load (local.get $in)))))
        (local.set $grad (i32.add (local.get $grad) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $in (i32.add (local.get $in) (i32.const 16)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $o (f32.load (local.get $out)))
        (f32.store (local.get $grad)
          (f32.add
            (if (result f32) (local.get $first) (then (f32.const 0)) (else (f32.load (local.get $grad))))
            (f32.mul (local.get $g) (local.get $o))))
        (f32.store (local.get $out) (f32.add (local.get $o) (f32.mul (local.get $g) (f32.load (local.get $in)))))
        (local.set $grad (i32.add (local.get $grad) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $in (i32.add (local.get $in) (i32.const 4)))
        (br $next))))

  ;; dst += src over $n values.
  (func $add_row (param $dst i32) (param $src i32) (param $n i32)
    (local $end4 i32) (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $next))))

  ;; dst = dst / $d over $n values (the CBOW mean).
  (func $div_row (param $dst i32) (param $d f32) (param $n i32)
    (local $dv v128) (local $end4 i32) (local $end i32)
    (local.set $dv (f32x4.splat (local.get $d)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst) (f32x4.div (v128.load (local.get $dst)) (local.get $dv)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.div (f32.load (local.get $dst)) (local.get $d)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $next))))

  ;; The SGD step size of one pair from its score $f, and its loss (added to the globals), as kernel.ts:
  ;; sigma from the table of 1001 f64 values at $tables over [-6, 6] (MAX_EXP 6, EXP_TABLE_SIZE 1000),
  ;; then -log sigma(x) and -log(1 - sigma(x)) tables of the same size right after it.
  (func $gradient (param $f f32) (param $label i32) (param $alpha f64) (param $tables i32) (result f64)
    (local $x f64) (local $at i32)
    (local.set $x (f64.promote_f32 (local.get $f)))
    (global.set $loss_terms (f64.add (global.get $loss_terms) (f64.const 1)))
    (if (f64.gt (local.get $x) (f64.const 6))
      (then
        (if (i32.eqz (local.get $label))
          (then (global.set $loss_sum (f64.add (global.get $loss_sum) (local.get $x)))))
        (return (f64.mul (f64.sub (f64.convert_i32_s (local.get $label)) (f64.const 1)) (local.get $alpha)))))
    (if (f64.lt (local.get $x) (f64.const -6))
      (then
        (if (local.get $label)
          (then (global.set $loss_sum (f64.sub (global.get $loss_sum) (local.get $x)))))
        (return (f64.mul (f64.convert_i32_s (local.get $label)) (local.get $alpha)))))
    ;; byte offset of entry (x + 6) * (1000 / 6 / 2)
    (local.set $at (i32.add (local.get $tables) (i32.shl
      (i32.trunc_sat_f64_s (f64.mul (f64.add (local.get $x) (f64.const 6)) (f64.const 0x1.4d55555555555p+6)))
      (i32.const 3))))
    (global.set $loss_sum (f64.add (global.get $loss_sum)
      (if (result f64) (local.get $label)
        (then (f64.load offset=8008 (local.get $at)))
        (else (f64.load offset=16016 (local.get $at))))))
    (f64.mul (f64.sub (f64.convert_i32_s (local.get $label)) (f64.load (local.get $at))) (local.get $alpha)))

  ;; Draws $negative noise tokens from the table (unigram^0.75) with the RNG state $rng, writes to $targets
  ;; those that are not $word, and returns the new RNG state and how many it wrote. Drawing all of a
  ;; pair's noise tokens before training on any of them issues the reads of the table (megabytes, read at
  ;; random) back to back, so that their cache misses overlap; the RNG stream is the same as drawing each
  ;; one just before it is used, as kernel.ts does.
  (func $draw_noise (param $rng i32) (param $targets i32) (param $word i32) (param $negative i32)
    (param $neg_table i32) (param $table_scale f64) (result i32 i32)
    (local $d i32) (local $count i32) (local $t i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $d) (local.get $negative)))
        (local.set $rng (call $xorshift (local.get $rng)))
        (local.set $t (i32.load (i32.add (local.get $neg_table) (i32.shl
          (i32.trunc_sat_f64_s (f64.mul (f64.convert_i32_u (local.get $rng)) (local.get $table_scale)))
          (i32.const 2)))))
        (if (i32.ne (local.get $t) (local.get $word))
          (then
            (i32.store (i32.add (local.get $targets) (i32.shl (local.get $count) (i32.const 2))) (local.get $t))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $next)))
    (local.get $rng)
    (local.get $count))

  ;; Skip-gram on the sentence of $len token ids at $sen: each context token's syn0 row predicts the
  ;; centre token's syn1 row against $negative noise tokens. $scratch holds, in bytes: [0, 8) loss sum,
  ;; [8, 16) loss terms, then from 16 the noise targets ($negative i32); $grad
  ;; (dim f32, 16-aligned) the gradient of the input row. Returns the new RNG state.
  (func (export "skipgram")
    (param $sen i32) (param $len i32) (param $syn0 i32) (param $syn1 i32) (param $neg_table i32)
    (param $neg_length i32) (param $tables i32) (param $scratch i32) (param $grad i32) (param $dim i32)
    (param $window i32) (param $negative i32) (param $alpha f64) (param $rng i32) (result i32)
    (local $p i32) (local $word i32) (local $b i32) (local $lo i32) (local $hi i32) (local $c i32)
    (local $l1 i32) (local $l2 i32) (local $i i32) (local $count i32) (local $row_bytes i32)
    (local $targets i32) (local $window_scale f64) (local $table_scale f64)
    (global.set $loss_sum (f64.const 0))
    (global.set $loss_terms (f64.const 0))
    (local.set $row_bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $targets (i32.add (local.get $scratch) (i32.const 16)))
    (local.set $window_scale (f64.div (f64.convert_i32_u (local.get $window)) (f64.const 4294967296)))
    (local.set $table_scale (f64.div (f64.convert_i32_u (local.get $neg_length)) (f64.const 4294967296)))
    (block $sentence_done
      (loop $centre
        (br_if $sentence_done (i32.ge_s (local.get $p) (local.get $len)))
        (local.set $word (i32.load (i32.add (local.get $sen) (i32.shl (local.get $p) (i32.const 2)))))
        ;; shrink the window at random, as word2vec.c
        (local.set $rng (call $xorshift (local.get $rng)))
        (local.set $b (i32.trunc_sat_f64_s (f64.mul (f64.convert_i32_u (local.get $rng)) (local.get $window_scale))))
        (local.set $lo (i32.add (i32.sub (local.get $p) (local.get $window)) (local.get $b)))
        (if (i32.lt_s (local.get $lo) (i32.const 0)) (then (local.set $lo (i32.const 0))))
        (local.set $hi (i32.sub (i32.add (local.get $p) (local.get $window)) (local.get $b)))
        (if (i32.gt_s (local.get $hi) (i32.sub (local.get $len) (i32.const 1)))
          (then (local.set $hi (i32.sub (local.get $len) (i32.const 1)))))
        (local.set $c (local.get $lo))
        (block $context_done
          (loop $context
            (br_if $context_done (i32.gt_s (local.get $c) (local.get $hi)))
            (if (i32.ne (local.get $c) (local.get $p))
              (then
                (local.set $l1 (i32.add (local.get $syn0) (i32.mul (local.get $row_bytes)
                  (i32.load (i32.add (local.get $sen) (i32.shl (local.get $c) (i32.const 2)))))))
                (call $draw_noise (local.get $rng) (local.get $targets) (local.get $word) (local.get $negative)
                  (local.get $neg_table) (local.get $table_scale))
                (local.set $count)
                (local.set $rng)
                ;; the centre token (label 1), then the noise tokens (label 0)
                (local.set $l2 (i32.add (local.get $syn1) (i32.mul (local.get $row_bytes) (local.get $word))))
                (call $step (local.get $grad) (local.get $l2) (local.get $l1)
                  (f32.demote_f64 (call $gradient (call $dot (local.get $l1) (local.get $l2) (local.get $dim))
                    (i32.const 1) (local.get $alpha) (local.get $tables)))
                  (local.get $dim) (i32.const 1))
                (local.set $i (i32.const 0))
                (block $noise_done
                  (loop $noise
                    (br_if $noise_done (i32.ge_s (local.get $i) (local.get $count)))
                    (local.set $l2 (i32.add (local.get $syn1) (i32.mul (local.get $row_bytes)
                      (i32.load (i32.add (local.get $targets) (i32.shl (local.get $i) (i32.const 2)))))))
                    (call $step (local.get $grad) (local.get $l2) (local.get $l1)
                      (f32.demote_f64 (call $gradient (call $dot (local.get $l1) (local.get $l2) (local.get $dim))
                        (i32.const 0) (local.get $alpha) (local.get $tables)))
                      (local.get $dim) (i32.const 0))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $noise)))
                (call $add_row (local.get $l1) (local.get $grad) (local.get $dim))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $context)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $centre)))
    (f64.store (local.get $scratch) (global.get $loss_sum))
    (f64.store offset=8 (local.get $scratch) (global.get $loss_terms))
    (local.get $rng))

  ;; CBOW on the sentence at $sen: the mean of the context rows ($hidden, dim f32, 16-aligned) predicts the
  ;; centre token against $negative noise tokens; the gradient ($grad) is then added to every context row.
  ;; Parameters and $scratch as "skipgram". Returns the new RNG state.
  (func (export "cbow")
    (param $sen i32) (param $len i32) (param $syn0 i32) (param $syn1 i32) (param $neg_table i32)
    (param $neg_length i32) (param $tables i32) (param $scratch i32) (param $grad i32) (param $hidden i32)
    (param $dim i32) (param $window i32) (param $negative i32) (param $alpha f64) (param $rng i32) (result i32)
    (local $p i32) (local $word i32) (local $b i32) (local $lo i32) (local $hi i32) (local $c i32)
    (local $cw i32) (local $l2 i32) (local $i i32) (local $count i32) (local $row_bytes i32)
    (local $targets i32) (local $window_scale f64) (local $table_scale f64)
    (global.set $loss_sum (f64.const 0))
    (global.set $loss_terms (f64.const 0))
    (local.set $row_bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $targets (i32.add (local.get $scratch) (i32.const 16)))
    (local.set $window_scale (f64.div (f64.convert_i32_u (local.get $window)) (f64.const 4294967296)))
    (local.set $table_scale (f64.div (f64.convert_i32_u (local.get $neg_length)) (f64.const 4294967296)))
    (block $sentence_done
      (loop $centre
        (br_if $sentence_done (i32.ge_s (local.get $p) (local.get $len)))
        (local.set $word (i32.load (i32.add (local.get $sen) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $rng (call $xorshift (local.get $rng)))
        (local.set $b (i32.trunc_sat_f64_s (f64.mul (f64.convert_i32_u (local.get $rng)) (local.get $window_scale))))
        (local.set $lo (i32.add (i32.sub (local.get $p) (local.get $window)) (local.get $b)))
        (if (i32.lt_s (local.get $lo) (i32.const 0)) (then (local.set $lo (i32.const 0))))
        (local.set $hi (i32.sub (i32.add (local.get $p) (local.get $window)) (local.get $b)))
        (if (i32.gt_s (local.get $hi) (i32.sub (local.get $len) (i32.const 1)))
          (then (local.set $hi (i32.sub (local.get $len) (i32.const 1)))))
        (local.set $cw (i32.sub (local.get $hi) (local.get $lo)))
        (if (local.get $cw)
          (then
            ;; hidden = mean of the context rows
            (memory.fill (local.get $hidden) (i32.const 0) (local.get $row_bytes))
            (local.set $c (local.get $lo))
            (block $sum_done
              (loop $sum
                (br_if $sum_done (i32.gt_s (local.get $c) (local.get $hi)))
                (if (i32.ne (local.get $c) (local.get $p))
                  (then
                    (call $add_row (local.get $hidden)
                      (i32.add (local.get $syn0) (i32.mul (local.get $row_bytes)
                        (i32.load (i32.add (local.get $sen) (i32.shl (local.get $c) (i32.const 2))))))
                      (local.get $dim))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $sum)))
            (call $div_row (local.get $hidden) (f32.convert_i32_s (local.get $cw)) (local.get $dim))
            (call $draw_noise (local.get $rng) (local.get $targets) (local.get $word) (local.get $negative)
              (local.get $neg_table) (local.get $table_scale))
            (local.set $count)
            (local.set $rng)
            (local.set $l2 (i32.add (local.get $syn1) (i32.mul (local.get $row_bytes) (local.get $word))))
            (call $step (local.get $grad) (local.get $l2) (local.get $hidden)
              (f32.demote_f64 (call $gradient (call $dot (local.get $hidden) (local.get $l2) (local.get $dim))
                (i32.const 1) (local.get $alpha) (local.get $tables)))
              (local.get $dim) (i32.const 1))
            (local.set $i (i32.const 0))
            (block $noise_done
              (loop $noise
                (br_if $noise_done (i32.ge_s (local.get $i) (local.get $count)))
                (local.set $l2 (i32.add (local.get $syn1) (i32.mul (local.get $row_bytes)
                  (i32.load (i32.add (local.get $targets) (i32.shl (local.get $i) (i32.const 2)))))))
                (call $step (local.get $grad) (local.get $l2) (local.get $hidden)
                  (f32.demote_f64 (call $gradient (call $dot (local.get $hidden) (local.get $l2) (local.get $dim))
                    (i32.const 0) (local.get $alpha) (local.get $tables)))
                  (local.get $dim) (i32.const 0))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $noise)))
            ;; every context row takes the whole gradient
            (local.set $c (local.get $lo))
            (block $update_done
              (loop $update
                (br_if $update_done (i32.gt_s (local.get $c) (local.get $hi)))
                (if (i32.ne (local.get $c) (local.get $p))
                  (then
                    (call $add_row
                      (i32.add (local.get $syn0) (i32.mul (local.get $row_bytes)
                        (i32.load (i32.add (local.get $sen) (i32.shl (local.get $c) (i32.const 2))))))
                      (local.get $grad) (local.get $dim))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $update)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $centre)))
    (f64.store (local.get $scratch) (global.get $loss_sum))
    (f64.store offset=8 (local.get $scratch) (global.get $loss_terms))
    (local.get $rng))
)
