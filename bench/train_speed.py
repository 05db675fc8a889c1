"""PyTorch side of bench/train-speed.sh: the training step of `winnow train cross-encoder` (BERT
encoder of all-MiniLM-L6-v2's shape + pooler + one-logit head, eager attention, dropout 0.1,
listwise loss over a group, AdamW with clipping), on random token ids of a fixed length.
Weights are random: the speed of a step does not depend on their values.
Prints one line: `pytorch pairs/s X cpu-s/pair Y`."""
import argparse, math, os, resource, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--group", type=int, default=8)
p.add_argument("--length", type=int, default=256)
p.add_argument("--steps", type=int, default=8)
p.add_argument("--warmup", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.set_num_interop_threads(1)
torch.manual_seed(0)

H, L, A, I, V = 384, 6, 12, 1536, 30522

class Layer(nn.Module):
    def __init__(s):
        super().__init__()
        s.q, s.k, s.v, s.o = (nn.Linear(H, H) for _ in range(4))
        s.ln1, s.ln2 = nn.LayerNorm(H, eps=1e-12), nn.LayerNorm(H, eps=1e-12)
        s.i, s.out = nn.Linear(H, I), nn.Linear(I, H)
        s.drop = nn.Dropout(0.1)

    def forward(s, x, bias):
        b, n, _ = x.shape
        heads = lambda t: t.view(b, n, A, H // A).transpose(1, 2)
        q, k, v = heads(s.q(x)), heads(s.k(x)), heads(s.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(H // A) + bias
        ctx = (s.drop(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, n, H)
        x = s.ln1(x + s.drop(s.o(ctx)))
        return s.ln2(x + s.drop(s.out(F.gelu(s.i(x)))))

class CrossEncoder(nn.Module):
    def __init__(s):
        super().__init__()
        s.word, s.pos, s.types = nn.Embedding(V, H), nn.Embedding(512, H), nn.Embedding(2, H)
        s.ln, s.drop = nn.LayerNorm(H, eps=1e-12), nn.Dropout(0.1)
        s.layers = nn.ModuleList(Layer() for _ in range(L))
        s.pool, s.cls = nn.Linear(H, H), nn.Linear(H, 1)

    def forward(s, ids, mask, types):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = s.drop(s.ln(s.word(ids) + s.types(types) + s.pos(pos)))
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in s.layers:
            x = layer(x, bias)
        return s.cls(s.drop(torch.tanh(s.pool(x[:, 0]))))

model = CrossEncoder().train()
decay = [p for n, p in model.named_parameters() if p.dim() > 1]
rest = [p for n, p in model.named_parameters() if p.dim() <= 1]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=3e-5)
g = torch.Generator().manual_seed(1)

def step():
    ids = torch.randint(1000, 21000, (a.group, a.length), generator=g)
    mask = torch.ones_like(ids)
    types = torch.zeros_like(ids)
    logits = model(ids, mask, types).view(1, -1)
    loss = -F.log_softmax(logits, dim=1)[0, 0]
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()

for _ in range(a.warmup):
    step()
cpu0, t0 = time.process_time(), time.perf_counter()
for _ in range(a.steps):
    step()
wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
pairs = a.steps * a.group
print(f"pytorch {torch.__version__} pairs/s {pairs / wall:.3f} cpu-s/pair {cpu / pairs:.3f}")
