"""A hand-written nn.Transformer training loop of recipes/examples/translate-en-es.yaml, for
benchmarks/e2e.py.

    python benchmarks/peers/loop_seq2seq.py --steps 100 --out-dir /tmp/loop

The same work as `archspec train recipes/examples/translate-en-es.yaml`, written the way one
would by hand (written for this benchmark, not copied): a byte-level BPE of 2,000 tokens
trained on both sides of data/en-es/train.tsv with the same five special tokens first; pairs
sorted by length and cut into batches of at most 3,000 tokens (count x longest), in shuffled
order; peers/torch_transformer.py's pre-norm nn.Transformer at the recipe's shape (3 + 3
layers, d_model 128, 4 heads, d_ff 512, dropout 0.1 on sub-layer outputs and the embedding
sum, tied embeddings) with padding masks; Adam (betas 0.9/0.98, eps 1e-9) on the noam
schedule (warm-up 400); label smoothing 0.1; gradients clipped at norm 1; validation loss and
BLEU of greedy translations of 250 validation sources after the last step, saving the model
and the optimizer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch import Tensor
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.peers.torch_transformer import TorchSeq2Seq  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data" / "en-es"
SPECIAL = ["<pad>", "<unk>", "<bos>", "<eos>", "<mask>"]
PAD, BOS, EOS = 0, 2, 3
VOCAB, D, MAX_TOKENS = 2000, 128, 3000


def read(path: Path) -> list[tuple[str, str]]:
    rows = [line.rstrip("\n").split("\t") for line in path.read_text().splitlines() if line]
    return [(r[0], r[1]) for r in rows]


def tokenizer(pairs: list[tuple[str, str]]):  # noqa: ANN201 (tokenizers.Tokenizer)
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB, min_frequency=2, special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )  # fmt: skip
    tok.train_from_iterator([s for pair in pairs for s in pair], trainer)
    return tok


def padded(seqs: list[list[int]]) -> Tensor:
    out = torch.full((len(seqs), max(map(len, seqs))), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s)
    return out


def batches(pairs: list[tuple[list[int], list[int]]], epoch: int) -> list[list[int]]:
    """Index batches of count x longest <= MAX_TOKENS over pairs sorted by length, shuffled."""
    lengths = [max(len(s), len(t) + 1) for s, t in pairs]
    order = sorted(range(len(pairs)), key=lambda i: lengths[i])
    out, cur, longest = [], [], 0
    for i in order:
        if cur and (len(cur) + 1) * max(longest, lengths[i]) > MAX_TOKENS:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, lengths[i])
    out.append(cur)
    perm = torch.randperm(len(out), generator=torch.Generator().manual_seed(epoch))
    return [out[int(i)] for i in perm]


def hidden(tokens: Tensor) -> Tensor:
    """Float key padding mask (-inf at <pad>), the type of nn.Transformer's causal mask."""
    return torch.zeros(tokens.shape).masked_fill(tokens == PAD, float("-inf"))


def forward(model: TorchSeq2Seq, src: Tensor, tgt: Tensor) -> Tensor:
    t = tgt.shape[1]
    h = model.transformer(
        model.embed(src), model.embed(tgt), tgt_mask=model.causal[:t, :t], tgt_is_causal=True,
        src_key_padding_mask=hidden(src), tgt_key_padding_mask=hidden(tgt),
        memory_key_padding_mask=hidden(src),
    )  # fmt: skip
    return h @ model.tok.weight.t()  # (B, T, V)


@torch.no_grad()
def greedy(model: TorchSeq2Seq, src: Tensor, extra: int = 50) -> list[list[int]]:
    model.eval()
    tr = model.transformer
    memory = tr.encoder(model.embed(src), src_key_padding_mask=hidden(src))
    ys = torch.full((len(src), 1), BOS, dtype=torch.long)
    done = torch.zeros(len(src), dtype=torch.bool)
    for _ in range(src.shape[1] + extra):
        t = ys.shape[1]
        h = tr.decoder(
            model.embed(ys), memory, tgt_mask=model.causal[:t, :t], tgt_is_causal=True,
            memory_key_padding_mask=hidden(src),
        )  # fmt: skip
        nxt = (h[:, -1] @ model.tok.weight.t()).argmax(-1)
        ys = torch.cat([ys, nxt[:, None]], 1)
        done |= nxt == EOS
        if done.all():
            break
    model.train()
    return [[int(i) for i in row[1:]] for row in ys]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--out-dir", type=Path, required=True)
    ap.add_argument("--bleu-samples", type=int, default=250)
    args = ap.parse_args()
    torch.manual_seed(0)
    train_text, val_text = read(DATA / "train.tsv"), read(DATA / "val.tsv")
    tok = tokenizer(train_text)

    def ids(pairs: list[tuple[str, str]]) -> list[tuple[list[int], list[int]]]:
        return [(tok.encode(s).ids, tok.encode(t).ids) for s, t in pairs]

    train, val = ids(train_text), ids(val_text)
    longest = max(max(len(s), len(t) + 1) for s, t in train + val)
    model = TorchSeq2Seq(VOCAB, longest + 64, D, 4, 512, 3, 0.1, norm_first=True)
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9, fused=True)
    noam = lambda s: D**-0.5 * min((s + 1) ** -0.5, (s + 1) * 400**-1.5)  # noqa: E731
    sched = torch.optim.lr_scheduler.LambdaLR(opt, noam)
    step, epoch = 0, 0
    while step < args.steps:
        for batch in batches(train, epoch):
            src = padded([train[i][0] for i in batch])
            tgt_in = padded([[BOS, *train[i][1]] for i in batch])
            tgt_out = padded([[*train[i][1], EOS] for i in batch])
            logits = forward(model, src, tgt_in)
            loss = F.cross_entropy(
                logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD, label_smoothing=0.1
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 20 == 0:
                print(f"step {step}: loss {loss.item():.3f}", flush=True)
            if step == args.steps:
                break
        epoch += 1
    validate(model, tok, val, val_text, args, opt, step)


def validate(model, tok, val, val_text, args, opt, step: int) -> None:  # noqa: ANN001
    import sacrebleu

    model.eval()
    with torch.no_grad():
        losses = []
        for batch in batches(val, 0):
            src = padded([val[i][0] for i in batch])
            tgt_in = padded([[BOS, *val[i][1]] for i in batch])
            tgt_out = padded([[*val[i][1], EOS] for i in batch])
            logits = forward(model, src, tgt_in)
            losses.append(
                F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD).item()
            )
    hyps = []
    n = args.bleu_samples
    for start in range(0, n, 64):
        src = padded([s for s, _ in val[start : min(start + 64, n)]])
        for out in greedy(model, src):
            hyps.append(tok.decode(out[: out.index(EOS)] if EOS in out else out))
    bleu = sacrebleu.corpus_bleu(hyps, [[t for _, t in val_text[:n]]]).score
    print(f"step {step}: val loss {sum(losses) / len(losses):.3f} · bleu {bleu:.2f}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, args.out_dir / "last.pt")


if __name__ == "__main__":
    main()
