// Tests share one ONNX Runtime env per process and count its live handles: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
