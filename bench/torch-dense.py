#!/usr/bin/env python3
"""The reference speed: the official QKFormer PyTorch class, dense and uncounted, on the bench's full-size workload.

Usage (called by bench/torch-dense.sh, which finds python3 with torch and the official checkout):
    python3 bench/torch-dense.py QKFORMER_REPO WEIGHTS.safetensors [--runs 5] [--images 16] [--warmup 4] [--threads 2]

QKFORMER_REPO is a git clone of zhouchenlin2096/QKFormer; cifar10/model.py is read with `git show` at the pinned
commit below (the same commit the official fixtures were generated from), so a newer checkout changes nothing. The
repository carries no licence, so its code is not copied here. timm and spikingjelly are not on Debian: the few names
the model file imports are stubbed; the LIF maths is spikingjelly 0.0.0.0.12's MultiStepLIFNode (torch backend), as
vendored in test/fixtures/official-families/generate.py (copied, not imported: bench code does not read test files).

What is timed: the model built with the manifest's kwargs, the fixture's weights loaded (strict), eval mode, no_grad,
torch.set_num_threads(threads). Before timing, the fixture's own input (2 images, one at a time) is run and its logits
compared with the fixture's `logits_batch1` (the check that this is the official model on the same weights). Then
each run feeds `images` seeded N(0,1) 3x32x32 images one at a time (batch 1, as spikewatt's per-image rate) and times
images warmup+1 .. images (the issue's "images 5-16 after start-up"): images/s = (images - warmup) / seconds.
The dense forward's cost does not depend on the pixel values. Prints one JSON line on stdout.
"""
import json
import os
import struct
import subprocess
import sys
import time
import types

import torch
import torch.nn as nn

QKFORMER_COMMIT = 'c2a00e8e54538e76f5954614a60c1d53824bbee9'
KWARGS = {'drop_rate': 0.0, 'drop_path_rate': 0.2, 'img_size_h': 32, 'img_size_w': 32, 'patch_size': 4, 'embed_dims': 384,
          'num_heads': 8, 'mlp_ratios': 4, 'in_channels': 3, 'num_classes': 10, 'qkv_bias': False, 'depths': 4,
          'sr_ratios': 1, 'T': 4}


# ---- spikingjelly 0.0.0.0.12 (clock_driven.neuron.MultiStepLIFNode, torch backend), vendored ----
class MultiStepLIFNode(nn.Module):
    """h = v + (x - v)/tau (decay_input, v_reset 0), or with v_reset: v + (x - (v - v_reset))/tau;
    spike = heaviside(h - v_th) (h >= v_th); hard reset v = h (1 - s) + v_reset s, soft v = h - s v_th."""

    def __init__(self, tau=2.0, decay_input=True, v_threshold=1.0, v_reset=0.0, detach_reset=False, backend='torch', **kw):
        super().__init__()
        assert tau > 1.0
        self.tau, self.decay_input, self.v_threshold, self.v_reset = tau, decay_input, v_threshold, v_reset
        self.detach_reset, self.backend_requested = detach_reset, backend

    def forward(self, x_seq):
        v = torch.full_like(x_seq[0], self.v_reset if self.v_reset is not None else 0.0)
        out = []
        for t in range(x_seq.shape[0]):
            x = x_seq[t]
            if self.decay_input:
                if self.v_reset is None or self.v_reset == 0.0:
                    h = v + (x - v) / self.tau
                else:
                    h = v + (x - (v - self.v_reset)) / self.tau
            else:
                if self.v_reset is None or self.v_reset == 0.0:
                    h = v * (1.0 - 1.0 / self.tau) + x
                else:
                    h = v - (v - self.v_reset) / self.tau + x
            s = (h - self.v_threshold >= 0).to(x.dtype)
            if self.v_reset is None:
                v = h - s * self.v_threshold
            else:
                v = h * (1.0 - s) + self.v_reset * s
            out.append(s)
        return torch.stack(out)


def install_stubs():
    sj = types.ModuleType('spikingjelly')
    cd = types.ModuleType('spikingjelly.clock_driven')
    neuron = types.ModuleType('spikingjelly.clock_driven.neuron')
    neuron.MultiStepLIFNode = MultiStepLIFNode
    neuron.MultiStepParametricLIFNode = MultiStepLIFNode  # imported, never built
    sj.clock_driven, cd.neuron = cd, neuron
    timm = types.ModuleType('timm')
    models = types.ModuleType('timm.models')
    layers = types.ModuleType('timm.models.layers')
    registry = types.ModuleType('timm.models.registry')
    vt = types.ModuleType('timm.models.vision_transformer')
    layers.to_2tuple = lambda x: (x, x) if not isinstance(x, tuple) else x
    layers.trunc_normal_ = lambda t, std=1.0: nn.init.trunc_normal_(t, std=std)
    layers.DropPath = lambda p: nn.Identity()  # identity in eval mode anyway
    registry.register_model = lambda f: f
    vt._cfg = lambda **kw: {}
    models.create_model = None
    timm.models = models
    for name, mod in [('spikingjelly', sj), ('spikingjelly.clock_driven', cd), ('spikingjelly.clock_driven.neuron', neuron),
                      ('timm', timm), ('timm.models', models), ('timm.models.layers', layers),
                      ('timm.models.registry', registry), ('timm.models.vision_transformer', vt)]:
        sys.modules[name] = mod


def official_class(repo):
    git_dir = repo if os.path.isfile(os.path.join(repo, 'HEAD')) and not os.path.isdir(os.path.join(repo, '.git')) else os.path.join(repo, '.git')
    src = subprocess.run(['git', '--git-dir', git_dir, 'show', f'{QKFORMER_COMMIT}:cifar10/model.py'], check=True,
                         capture_output=True, text=True).stdout
    mod = types.ModuleType('qkformer_cifar10')
    exec(compile(src, f'cifar10/model.py@{QKFORMER_COMMIT[:7]}', 'exec'), mod.__dict__)
    return mod.spiking_transformer


def read_safetensors(path):
    """F32 tensors of a safetensors file: 8-byte little-endian header length, JSON header, raw C-order data."""
    with open(path, 'rb') as f:
        buf = f.read()
    (n,) = struct.unpack('<Q', buf[:8])
    header = json.loads(buf[8:8 + n])
    out = {}
    for k, h in header.items():
        if k == '__metadata__':
            continue
        if h['dtype'] != 'F32':
            raise ValueError(f'{path}: {k} is {h["dtype"]}, expected F32')
        b, e = h['data_offsets']
        out[k] = torch.frombuffer(bytearray(buf[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(h['shape'])
    return out


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print('usage: torch-dense.py QKFORMER_REPO WEIGHTS.safetensors [--runs N] [--images N] [--warmup N] [--threads N]',
              file=sys.stderr)
        sys.exit(2)
    repo, weights = args[0], args[1]
    opt = {'--runs': 5, '--images': 16, '--warmup': 4, '--threads': 2}
    for i in range(2, len(args) - 1, 2):
        opt[args[i]] = int(args[i + 1])
    runs, images, warmup, threads = opt['--runs'], opt['--images'], opt['--warmup'], opt['--threads']
    torch.set_num_threads(threads)
    install_stubs()
    t0 = time.perf_counter()
    model = official_class(repo)(**KWARGS)
    state = model.state_dict()
    loaded = read_safetensors(weights)
    # BN num_batches_tracked is not in the fixture (it does not enter the eval forward)
    for k in state:
        if k not in loaded and k.endswith('num_batches_tracked'):
            loaded[k] = state[k]
    model.load_state_dict(loaded, strict=True)
    model.eval()
    fixture = os.path.dirname(weights)
    x_fix = read_safetensors(os.path.join(fixture, 'input.safetensors'))['input']
    with open(os.path.join(fixture, 'logits.json')) as f:
        want = torch.tensor(json.load(f)['logits_batch1'])
    with torch.no_grad():
        got = torch.cat([model(x_fix[i:i + 1]) for i in range(x_fix.shape[0])])
    max_diff = float((got - want).abs().max())
    if max_diff > 1e-4:
        print(f'torch-dense: the official model on the fixture weights gives logits {max_diff:.3g} from the fixture\'s', file=sys.stderr)
        sys.exit(1)
    setup_s = time.perf_counter() - t0
    g = torch.Generator().manual_seed(2)
    xs = torch.randn(images, 3, 32, 32, generator=g)
    ips = []
    with torch.no_grad():
        for _ in range(runs):
            for i in range(images):
                if i == warmup:
                    s = time.perf_counter()
                model(xs[i:i + 1])
            ips.append((images - warmup) / (time.perf_counter() - s))
    print(json.dumps({
        'backend': f'torch {torch.__version__} (CPU, float32, eval, no_grad)',
        'official': f'zhouchenlin2096/QKFormer@{QKFORMER_COMMIT[:7]} cifar10/model.py spiking_transformer',
        'threads': torch.get_num_threads(),
        'batch': 1,
        'imagesPerRun': images,
        'timedImages': f'{warmup + 1}-{images}',
        'runs': runs,
        'imagesPerSecond': ips,
        'fixtureLogitsMaxAbsDiff': max_diff,
        'setupSeconds': setup_s,
    }))


if __name__ == '__main__':
    main()
