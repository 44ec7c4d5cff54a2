export async function migrate(_url: string): Promise<number[]> {
  throw new Error('todo');
}
