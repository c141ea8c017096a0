# Regenerates reference.gguf with llama.cpp's Python `gguf` package (pip install gguf), independently
# of GGUFWriter. GGUFWriterTests builds the same content with GGUFWriter and expects identical bytes.
import numpy as np
import gguf

w = gguf.GGUFWriter("reference.gguf", arch="llama")        # writes general.architecture first
w.add_custom_alignment(64)                                  # general.alignment = uint32 64
w.add_uint32("llama.block_count", 2)
w.add_float32("llama.rope.freq_base", 10000.0)
w.add_bool("tokenizer.ggml.add_bos_token", True)
w.add_string("general.name", "Référence ✓")
w.add_array("tokenizer.ggml.tokens", ["<s>", "</s>", "héllo", ""])
w.add_array("tokenizer.ggml.scores", [0.0, -1.5, 2.25])
w.add_key_value("test.int64", -(2**40), gguf.GGUFValueType.INT64)
w.add_key_value("test.float64", 3.141592653589793, gguf.GGUFValueType.FLOAT64)
# F32 [rows=3, row length=5] in numpy order -> ggml shape [5, 3]
w.add_tensor("a.weight", np.arange(15, dtype=np.float32).reshape(3, 5))
# Q8_0: one row of 64 elements = 2 blocks of 34 bytes
q8 = np.array([(i * 7 + 3) % 256 for i in range(68)], dtype=np.uint8).reshape(1, 68)
w.add_tensor("b.weight", q8, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
w.add_tensor("c.bias", np.array([1.0, -2.0, 0.5], dtype=np.float16))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
