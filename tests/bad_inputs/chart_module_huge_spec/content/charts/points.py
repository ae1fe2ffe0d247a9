def chart(data):
    rows = [{"x": i, "y": i % 7} for i in range(1_000_000)]
    return {"mark": "point", "data": {"values": rows},
            "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}}
