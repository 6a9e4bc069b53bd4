#!/usr/bin/env python3
# @STEM@.py: a Factorscope run, exported as a standalone PyTorch script.
#
# It factorizes X ~ W H by gradient descent exactly as Factorscope does
# (DESIGN.md section 1), from the same starting W and H, with the same
# update rule, penalties, non-negativity and L1 mode:
#
#   cost = sum over the cells trained on of (X - W H)_ij^2
#        + l2_w ||W||_F^2 + l2_h ||H||_F^2 + l1_w ||W||_1 + l1_h ||H||_1
#
# The gradients are written out (no autograd), as Factorscope computes them,
# so the costs agree with Factorscope's to rounding: about 1e-15 relative in
# float64 (Factorscope's tests ask for 1e-9). The normalized rule is the
# exception on long runs: its steps keep their length, so near the minimum
# rounding differences grow each iteration, and the costs agree only to
# about 1e-5 once its cost has levelled off.
#
# Beside this script, named after STEM in the settings below:
#   STEM-X.npy       the matrix (scaled as in Factorscope), NaN where a cell is missing
#   STEM-W0.npy      the starting W and H of Factorscope's first run for the seed
#   STEM-H0.npy      (with restarts, only the first run's start is exported)
#   STEM-train.npy   with held-out cells only: 1 where a cell is trained on,
#                    0 where it is held out or missing
# At the end it writes PREFIX-W.npy and PREFIX-H.npy (--out-prefix).
#
# What it leaves out: Factorscope also stops a run whose cost keeps swinging
# without getting lower (its instability detector); this script runs on,
# and stops only at the iteration limit, at the tolerance, or when the cost
# becomes NaN or infinite or grows a millionfold.
#
# On a GPU: --device cuda (the default when there is one). The precision
# is the run's (DTYPE below, torch.float64 or torch.float32; --dtype
# changes it): float32 is several times faster on GPUs, at the price of
# precision: it keeps about 7 digits, so the costs agree with Factorscope's
# to about 1e-5 rather than 1e-15. For several GPUs or machines, split the rows of X and
# W across processes with torch.distributed, keep H on every process and
# all-reduce its gradient and the cost each step (Factorscope's README
# describes how); this script runs in one process.
#
# Run it with:  python3 @STEM@.py [--iterations N] [--device cpu|cuda]
#                     [--dtype float64|float32] [--out-prefix PREFIX]

import argparse
import math
import os
import sys

import numpy as np
import torch

# The settings of the exported run (Factorscope's names in brackets).
@SETTINGS@

# The iterations in a row whose cost changes by less than TOLERANCE
# (relative) before the run counts as converged, as in Factorscope.
PATIENCE = 10
# Growth of the cost over the starting cost that counts as divergence.
DIVERGENCE_FACTOR = 1e6
PRINT_EVERY = 1000

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Factorize X ~ W H with PyTorch, as Factorscope's exported run does.")
    parser.add_argument("--iterations", type=int, default=ITERATIONS,
                        help="iteration limit (default %(default)s)")
    parser.add_argument("--device", default=None,
                        help="cpu, cuda, cuda:1, ... (default: cuda when available, else cpu)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default=DTYPE,
                        help="the run's precision (default %(default)s); float32 is faster on GPUs")
    parser.add_argument("--out-prefix", default=os.path.join(HERE, STEM),
                        help="write PREFIX-W.npy and PREFIX-H.npy (default %(default)s)")
    return parser.parse_args(argv)


def load(suffix, dtype, device):
    array = np.load(os.path.join(HERE, STEM + suffix))
    return torch.from_numpy(array).to(device=device, dtype=dtype)


def soft_threshold(P, threshold, nonneg):
    """The proximal map of threshold * |.| (exact zeros), then the projection
    onto P >= 0 when nonneg. NaN passes through, so divergence still shows."""
    zero = torch.zeros((), dtype=P.dtype, device=P.device)
    shrunk = torch.where(P > threshold, P - threshold,
                         torch.where(P < -threshold, P + threshold, zero))
    shrunk = torch.where(torch.isnan(P), P, shrunk)
    return torch.clamp(shrunk, min=0.0) if nonneg else shrunk


def descend(P, direction, step, l1):
    """P - step * direction, then the L1 proximal map (proximal mode) and
    the projection onto P >= 0 (non-negative runs)."""
    P = P - step * direction
    if l1 != 0.0 or NONNEG:
        P = soft_threshold(P, step * l1, NONNEG)
    return P


class Rule:
    """One factor's update rule and its state (velocity, Adam's moments)."""

    def __init__(self, P, l1):
        self.l1 = l1 if L1_MODE == "prox" else 0.0  # the subgradient is in the gradient
        self.velocity = torch.zeros_like(P)
        self.m = torch.zeros_like(P)
        self.v = torch.zeros_like(P)

    def step(self, P, G, grad_norm, t):
        if RULE == "plain":             # the notebook: P <- P - lr G
            return descend(P, G, LR, self.l1)
        if RULE == "normalized":        # the Theano post: every step has length lr
            if grad_norm > 0.0 and math.isfinite(grad_norm):
                return descend(P, G, LR / grad_norm, self.l1)
            if not math.isfinite(grad_norm):
                return descend(P, G, LR, self.l1)
            return P                    # a zero gradient: no step at all
        if RULE == "momentum":          # heavy ball as torch.optim.SGD: v = beta v + G
            self.velocity = MOMENTUM * self.velocity + G
            return descend(P, self.velocity, LR, self.l1)
        if RULE == "adam":              # torch.optim.Adam's update, with bias correction
            self.m = BETA1 * self.m + (1.0 - BETA1) * G
            self.v = BETA2 * self.v + (1.0 - BETA2) * G * G
            bias1 = 1.0 - BETA1 ** t
            bias2_sqrt = math.sqrt(1.0 - BETA2 ** t)
            step = LR / (torch.sqrt(self.v) / bias2_sqrt + EPS)   # per cell
            P = P - step * self.m / bias1
            if self.l1 != 0.0 or NONNEG:
                P = soft_threshold(P, step * self.l1, NONNEG)
            return P
        raise ValueError("unknown rule " + RULE)


def evaluate(X, mask, W, H):
    """The cost at W, H and both gradients, from the residual R = M o (X - W H)."""
    R = torch.where(mask, X - W @ H, torch.zeros((), dtype=X.dtype, device=X.device))
    data = torch.sum(R * R)
    cost = (data + L2_W * torch.sum(W * W) + L2_H * torch.sum(H * H)
            + L1_W * torch.sum(torch.abs(W)) + L1_H * torch.sum(torch.abs(H)))
    grad_w = -2.0 * (R @ H.T - L2_W * W)
    grad_h = -2.0 * (W.T @ R - L2_H * H)
    if L1_MODE == "subgradient":        # what autograd does: sign(0) is 0
        grad_w = grad_w + L1_W * torch.sign(W) if L1_W != 0.0 else grad_w
        grad_h = grad_h + L1_H * torch.sign(H) if L1_H != 0.0 else grad_h
    return cost.item(), data.item(), grad_w, grad_h


def stop_reason(iteration, cost, previous, start_cost, calm, limit):
    """Why the run stops after this iteration (None: it goes on), and the
    new count of quiet iterations, as Factorscope decides."""
    if math.isnan(cost) or math.isinf(cost):
        what = "NaN" if math.isnan(cost) else "infinite"
        return "diverged at iteration %d: the cost became %s" % (iteration, what), calm
    if start_cost > 0.0 and cost > DIVERGENCE_FACTOR * start_cost:
        return ("diverged at iteration %d: the cost grew from %.4g to %.4g"
                % (iteration, start_cost, cost)), calm
    quiet = TOLERANCE > 0.0 and abs(previous - cost) <= TOLERANCE * abs(previous)
    calm = calm + 1 if quiet else 0
    if calm >= PATIENCE:
        return ("converged: the cost changed by less than %.3g (relative) in each of the "
                "last %d iterations, at iteration %d" % (TOLERANCE, PATIENCE, iteration)), calm
    if iteration >= limit:
        return "reached the limit of %d iterations" % limit, calm
    return None, calm


def fit(X, mask, W, H, limit):
    """Runs to a stop; returns W, H, the final cost, the iterations and why it stopped."""
    rule_w, rule_h = Rule(W, L1_W), Rule(H, L1_H)
    cost, _, grad_w, grad_h = evaluate(X, mask, W, H)
    start_cost, calm, iteration, reason = cost, 0, 0, None
    print("iteration 0: loss %.10g" % cost)
    while reason is None:
        iteration += 1
        # Both factors move from the same point, as in both origin documents.
        norm_w, norm_h = torch.linalg.norm(grad_w).item(), torch.linalg.norm(grad_h).item()
        W, H = (rule_w.step(W, grad_w, norm_w, iteration),
                rule_h.step(H, grad_h, norm_h, iteration))
        previous = cost
        cost, _, grad_w, grad_h = evaluate(X, mask, W, H)
        reason, calm = stop_reason(iteration, cost, previous, start_cost, calm, limit)
        if iteration % PRINT_EVERY == 0:
            print("iteration %d: loss %.10g" % (iteration, cost))
    return W, H, cost, iteration, reason


def held_out_mse(X, held_out, W, H):
    R = (X - W @ H)[held_out]
    return torch.sum(R * R).item() / R.numel()


def main(argv=None):
    args = parse_arguments(argv)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    X = load("-X.npy", dtype, device)
    W = load("-W0.npy", dtype, device)
    H = load("-H0.npy", dtype, device)
    observed = ~torch.isnan(X)
    mask = observed & (load("-train.npy", dtype, device) > 0) if HOLDOUT else observed
    print("%s: %d x %d, rank %d, rule %s, learning rate %.6g, on %s (%s)"
          % (STEM, X.shape[0], X.shape[1], RANK, RULE, LR, device, args.dtype))

    W, H, cost, iterations, reason = fit(X, mask, W, H, args.iterations)
    if iterations % PRINT_EVERY != 0:
        print("iteration %d: loss %.10g" % (iterations, cost))
    print(reason)
    print("final cost: %.17g" % cost)
    train_cells = int(mask.sum().item())
    result = {"final_cost": cost, "iterations": iterations, "stopped": reason,
              "diverged": reason.startswith("diverged")}
    if HOLDOUT:
        _, data, _, _ = evaluate(X, mask, W, H)
        result["train_mse"] = data / train_cells
        result["holdout_mse"] = held_out_mse(X, observed & ~mask, W, H)
        print("training MSE: %.17g" % result["train_mse"])
        print("held-out MSE: %.17g" % result["holdout_mse"])

    np.save(args.out_prefix + "-W.npy", W.cpu().numpy())
    np.save(args.out_prefix + "-H.npy", H.cpu().numpy())
    print("wrote %s-W.npy and %s-H.npy" % (args.out_prefix, args.out_prefix))
    return result


if __name__ == "__main__":
    sys.exit(2 if main()["diverged"] else 0)
