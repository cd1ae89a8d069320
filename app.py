"""formcheck's Streamlit app: ``streamlit run app.py`` (or ``formcheck app``).

Thin on purpose: page setup and navigation. The pages are in ``formcheck/app/``.
"""

import streamlit as st

from formcheck.app import components, history_page, live_page, plan_page, review_page

# Icons are Streamlit's own Material Symbols: emoji need a system emoji font, and where none
# is installed they render as empty boxes.
st.set_page_config(page_title="formcheck", page_icon=":material/accessibility_new:", layout="wide")
page = st.navigation(
    [
        st.Page(live_page.render, title="Live", icon=":material/videocam:", url_path="live", default=True),
        st.Page(review_page.render, title="Review", icon=":material/video_library:", url_path="review"),
        st.Page(history_page.render, title="History", icon=":material/monitoring:", url_path="history"),
        st.Page(plan_page.render, title="Plan", icon=":material/event_note:", url_path="plan"),
    ]
)
components.sidebar()
page.run()
