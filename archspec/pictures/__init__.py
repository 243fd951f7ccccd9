"""Pictures of what a model learned (PNG through matplotlib, no pyplot state).

figures    figures of equal panels, heat maps with token labels, PNG output
attention  attention maps per layer and head: self- and cross-attention
positions  sinusoidal, learned and relative positional tables
"""
