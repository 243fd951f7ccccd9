"""A hand-written nanoGPT-style training loop of the quickstart's run, for benchmarks/e2e.py.

    python benchmarks/peers/loop_lm.py --steps 300 --out-dir /tmp/loop

The same work as `archspec train recipes/quickstart/shakespeare-char.yaml`, written the way one
would by hand (written for this benchmark, not copied): characters of data/shakespeare as ids
(5 special ids first, vocabulary 96), the training text cut into 129-token chunks that overlap
by one, shuffled each epoch, batches of 32; the nanoGPT-style GPT of peers/nanogpt_style.py at
the quickstart's shape (4 layers, d_model 128, 4 heads, d_ff 512, dropout 0); fused AdamW
(betas 0.9/0.99, eps 1e-8, weight decay 0.1 on matrices only); linear warm-up over 100 steps,
then a cosine from 3e-3 down to 3e-4; gradients clipped at norm 1; a loss line every 10 steps;
validation over 20 batches every 200 steps and after the last, each saving the model and the
optimizer; at the end a 300-token sample continuing the first 64 characters of the
validation text.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.peers.nanogpt_style import GPT  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data" / "shakespeare"
SPECIAL, VOCAB, LEN, BATCH = 5, 96, 128, 32


def chunks(ids: torch.Tensor) -> torch.Tensor:
    """[N] -> [C, LEN + 1] chunks overlapping by one token (input and shifted target)."""
    n = (len(ids) - 1) // LEN
    return ids[: n * LEN + 1].unfold(0, LEN + 1, LEN)  # (C, LEN + 1)


def lr_at(step: int, steps: int, lr: float = 3e-3, warmup: int = 100, low: float = 3e-4) -> float:
    if step <= warmup:
        return lr * step / warmup
    progress = min(1.0, (step - warmup) / max(1, steps - warmup))
    return low + 0.5 * (lr - low) * (1 + math.cos(math.pi * progress))


@torch.no_grad()
def evaluate(model: GPT, val: torch.Tensor, batches: int = 20) -> float:
    model.eval()
    losses = []
    for i in range(min(batches, math.ceil(len(val) / BATCH))):
        x = val[i * BATCH : (i + 1) * BATCH]
        logits = model(x[:, :-1])
        losses.append(F.cross_entropy(logits.flatten(0, 1), x[:, 1:].flatten()).item())
    model.train()
    return sum(losses) / len(losses)


@torch.no_grad()
def sample(model: GPT, prompt: torch.Tensor, n: int, gen: torch.Generator) -> torch.Tensor:
    model.eval()
    ids = prompt[None]  # (1, P)
    for _ in range(n):
        logits = model(ids[:, -LEN:])[:, -1]  # (1, V)
        nxt = torch.multinomial(logits.softmax(-1), 1, generator=gen)  # (1, 1)
        ids = torch.cat([ids, nxt], dim=1)
    return ids[0, len(prompt) :]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--out-dir", type=Path, required=True)
    ap.add_argument("--sample", type=int, default=300, help="tokens sampled at the end")
    args = ap.parse_args()
    torch.manual_seed(0)
    train_text = (DATA / "train.txt").read_text()
    val_text = (DATA / "val.txt").read_text()
    chars = sorted(set(train_text) | set(val_text))
    stoi = {c: SPECIAL + i for i, c in enumerate(chars)}
    itos = {i: c for c, i in stoi.items()}
    train = chunks(torch.tensor([stoi[c] for c in train_text]))
    val = chunks(torch.tensor([stoi[c] for c in val_text]))
    model = GPT(VOCAB, LEN, 128, 4, 512, 4, 0.0)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=1.0, betas=(0.9, 0.99), eps=1e-8, fused=True)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_at(s + 1, args.steps))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    step, epoch, best = 0, 0, math.inf
    while step < args.steps:
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(epoch))
        for i in range(0, len(order) - BATCH + 1, BATCH):
            x = train[order[i : i + BATCH]]  # (B, LEN + 1)
            logits = model(x[:, :-1])
            loss = F.cross_entropy(logits.flatten(0, 1), x[:, 1:].flatten())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 10 == 0:
                print(f"step {step}: loss {loss.item():.3f}", flush=True)
            if step % 200 == 0 or step == args.steps:
                v = evaluate(model, val)
                print(f"step {step}: val {v:.3f}", flush=True)
                state = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step}
                torch.save(state, args.out_dir / "last.pt")
                if v < best:
                    best = v
                    torch.save(state, args.out_dir / "best.pt")
            if step == args.steps:
                break
        epoch += 1
    prompt_text = val_text[:64]
    prompt = torch.tensor([stoi[c] for c in prompt_text])
    out = sample(model, prompt, args.sample, torch.Generator().manual_seed(0))
    text = "".join(itos.get(int(i), "?") for i in out)
    print(prompt_text + text)


if __name__ == "__main__":
    main()
