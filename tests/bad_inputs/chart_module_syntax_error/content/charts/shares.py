import altair as alt

def chart(data)
    return None
