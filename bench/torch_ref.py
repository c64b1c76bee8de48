"""PyTorch reference for `npm run bench`: the same model and training step as lstm's.

2 stacked LSTM layers (nn.LSTM, dropout between layers), one-hot input, a Linear layer to
the vocabulary, cross-entropy at every step (sequence targets), Adam, gradient clipping by
global norm. Prints one JSON line: milliseconds per batch for each timed repeat, and the
threads torch used. Run by bench/bench.ts when `python3 -c 'import torch'` works (or the
interpreter in LSTM_TORCH_PYTHON); never part of `npm test`.

Usage: python3 bench/torch_ref.py '{"units":300,"layers":2,"seqLength":50,"batch":64,"vocabSize":72,"repeats":5}'
"""
import json
import sys
import time

import torch
from torch import nn

c = json.loads(sys.argv[1])
U, L, T, B, V = c["units"], c["layers"], c["seqLength"], c["batch"], c["vocabSize"]
repeats = max(int(c.get("repeats", 5)), 5)
torch.manual_seed(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(V, U, num_layers=L, dropout=0.2)
        self.drop = nn.Dropout(0.2)  # lstm's dropout follows every layer, the top one too
        self.dense = nn.Linear(U, V)

    def forward(self, x):  # x [T, B, V] -> logits [T * B, V]
        h, _ = self.lstm(x)
        return self.dense(self.drop(h)).reshape(T * B, V)


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=2e-3)
ids = torch.tensor([(i * 31 + 17 + ((i * i) % 7)) % V for i in range(T * B)])
x = nn.functional.one_hot(ids, V).float().reshape(T, B, V)
y = torch.tensor([(i * 31 + 34 + ((i * i) % 7)) % V for i in range(T * B)])


def step():
    opt.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(net(x), y)
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), 5.0)
    opt.step()
    return loss.item()


step()
ms = []
for _ in range(repeats):
    t0 = time.perf_counter()
    step()
    ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"msPerUnit": ms, "threads": torch.get_num_threads(), "torch": torch.__version__}))
