/** A pattern that matches exactly `text` (AWS's messages are compared word for word, full stop included or not). */
export const exactly = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
