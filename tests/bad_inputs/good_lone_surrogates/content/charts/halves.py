def chart(data):
    return {"title": "Half \ud800", "mark": "bar", "data": {"values": [{"c": "x\udfff", "n": 1}]},
            "encoding": {"x": {"field": "c", "type": "nominal"}, "y": {"field": "n", "type": "quantitative"}}}
