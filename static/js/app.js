// Shows messages that htmx responses carry in their HX-Trigger header (see HtmxMessagesMiddleware).
document.body.addEventListener("salesops:messages", (event) => {
  const region = document.getElementById("messages");
  if (!region) return;
  region.replaceChildren();
  for (const message of event.detail.value || []) {
    const paragraph = document.createElement("p");
    paragraph.className = `message message-${message.level}`;
    paragraph.textContent = message.text;
    region.appendChild(paragraph);
  }
});
