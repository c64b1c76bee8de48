"""PyTorch from scratch for `npm run bench -- --quality TEXT --minutes N`: the same network
as lstm's defaults (2x300 LSTM, dropout 0.2 after each layer, one-hot input, a Linear layer
to the vocabulary, sequence targets, Adam 2e-3, clipping at global norm 5, batch 64 of
50-character windows shuffled, their boundaries shifted each epoch) trained for N minutes on
the training part lstm uses, with PyTorch's default initialisation and settings.

Every `every` seconds of training (the clock stops while it writes), it writes the
parameters in lstm's layout (src/params.ts: per layer W [I + 1 + U, 4U] = the input
kernel, the summed biases, the recurrent kernel, gates i, f, c, o as PyTorch orders them;
then the dense W [U, V] and b [V]), float32, to `<out>/<seconds>.bin`, so the bench scores
both models with lstm's own code. Prints one JSON line at the end: snapshots and epochs.

Usage: python3 bench/torch_quality.py '{"ids": "train.i32", "vocabSize": 65, "minutes": 10,
  "every": 60, "out": "dir", "units": 300, "layers": 2, "seqLength": 50, "batch": 64}'
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

c = json.loads(sys.argv[1])
U, L, T, B, V = c["units"], c["layers"], c["seqLength"], c["batch"], c["vocabSize"]
ids = torch.from_numpy(np.fromfile(c["ids"], dtype="<i4").astype(np.int64))
torch.manual_seed(c.get("seed", 1))
generator = torch.Generator().manual_seed(c.get("seed", 1))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(V, U, num_layers=L, dropout=c.get("dropout", 0.2))
        self.drop = nn.Dropout(c.get("dropout", 0.2))  # lstm's dropout follows the top layer too
        self.dense = nn.Linear(U, V)

    def forward(self, x):  # x [T, B, V] -> logits [T * B, V]
        h, _ = self.lstm(x)
        return self.dense(self.drop(h)).reshape(-1, V)


def snapshot(net, path):
    parts = []
    for l in range(L):
        w_ih = getattr(net.lstm, f"weight_ih_l{l}").detach()  # [4U, I]
        w_hh = getattr(net.lstm, f"weight_hh_l{l}").detach()  # [4U, U]
        b = (getattr(net.lstm, f"bias_ih_l{l}") + getattr(net.lstm, f"bias_hh_l{l}")).detach()  # [4U]
        parts += [w_ih.T.contiguous(), b.reshape(1, -1), w_hh.T.contiguous()]
    parts += [net.dense.weight.detach().T.contiguous(), net.dense.bias.detach()]
    with open(path, "wb") as f:
        for p in parts:
            f.write(p.numpy().astype("<f4").tobytes())


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=c.get("lr", 2e-3))
eye = torch.eye(V)
budget = c["minutes"] * 60
trained = 0.0  # seconds of training, snapshots excluded
next_snapshot = c["every"]
snapshots = []
epoch = 0
while trained < budget:
    offset = int(torch.randint(0, T, (1,), generator=generator))
    starts = torch.arange(offset, len(ids) - T - 1, T)
    starts = starts[torch.randperm(len(starts), generator=generator)]
    for k in range(0, len(starts) - B + 1, B):
        t0 = time.perf_counter()
        rows = starts[k : k + B].unsqueeze(1) + torch.arange(T + 1)  # [B, T + 1]
        window = ids[rows].T  # [T + 1, B]
        net.train()
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(net(eye[window[:-1]]), window[1:].reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), c.get("clip", 5.0))
        opt.step()
        trained += time.perf_counter() - t0
        if trained >= next_snapshot or trained >= budget:
            name = f"{round(trained)}.bin"
            snapshot(net, os.path.join(c["out"], name))
            snapshots.append({"seconds": trained, "file": name, "epoch": epoch + k / len(starts)})
            next_snapshot += c["every"]
        if trained >= budget:
            break
    epoch += 1
print(json.dumps({"snapshots": snapshots, "epochs": epoch, "threads": torch.get_num_threads(), "torch": torch.__version__}))
