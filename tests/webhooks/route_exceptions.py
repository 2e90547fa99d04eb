PARAM_SAMPLES = {"delivery_id": "1"}
