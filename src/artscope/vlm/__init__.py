"""Vision-language models shared by the tasks: loading by spec (``hf:``, ``adapter:``), one turn of
conversation about an image, LoRA fine-tuning with ``peft``, adapters stored in a collection's
``heads/``, and inference (level-word probabilities, generated answers).

The tasks own their data and their metrics (``artscope.tasks.aesthetics.vlm_training`` scores,
``artscope.tasks.ask.vlm_training`` question answering); everything model-specific lives here.
"""
