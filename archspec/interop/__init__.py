"""Getting models in and out of archspec: Hugging Face folders (hf/), plain safetensors and
ONNX exports. Nothing here is imported by validate, show or diff unless they read an HF input;
torch is imported only inside the functions that move weights."""
